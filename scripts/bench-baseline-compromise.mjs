// The baseline process of `npm run bench:extract`: compromise over each whole text of a JSONL file
// (nlp(title + text), then people, places and organizations), as a user would run a plain NLP pass.
// Plain node, no tsx, so that its start-up is as lean as it can be.
import { readFileSync } from 'node:fs';
import nlp from 'compromise';

let entities = 0;
const lines = readFileSync(process.argv[2] ?? '', 'utf8').split('\n');
for (const line of lines) {
  if (!line.trim()) continue;
  const article = JSON.parse(line);
  const doc = nlp(`${article.title ?? ''}\n${article.text}`);
  entities += doc.people().out('array').length;
  entities += doc.places().out('array').length;
  entities += doc.organizations().out('array').length;
}
process.stdout.write(`${entities}\n`);
