// The `npm run build` step after tsc: compiles config/dictionaries into dist/extract/knowledge-index.json
// with the compiled builder, so that a process start reads the index instead of building it again; and
// records that the lexicon passed validation, so that a start with the same lexicon skips it.
import { buildKnowledge } from '../dist/extract/knowledge.js';
import {
  COMPILED_INDEX,
  readDictionarySources,
  writeCompiledIndex,
} from '../dist/extract/knowledge-index.js';
import { recordLexiconChecked } from '../dist/extract/lexicon.js';

const sources = readDictionarySources();
const knowledge = buildKnowledge(sources);
writeCompiledIndex(knowledge, sources);
console.log(`attribot: ${knowledge.stats.patterns} dictionary names compiled to ${COMPILED_INDEX}`);
if (!recordLexiconChecked())
  console.log(
    'attribot: the lexicon changes when validated (a word to trim?): it is validated at every start',
  );
