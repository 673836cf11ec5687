import { productHits } from '../src/attribution/products.js';
import { loadKnowledge } from '../src/extract/knowledge.js';
import { extract } from '../src/extract/mentions.js';

const k = loadKnowledge();
const text = process.argv[2] ?? '';
const ex = extract({ id: 'x', title: null, text }, k);
for (const s of ex.sentences)
  console.log(
    s.index,
    s.mentions.map((m) => `${m.ref.type}:${m.surface}@${m.start}-${m.end}`),
  );
console.log(productHits(ex, k));
console.log(k.products[63]?.name, k.productIndex.get('github'), k.productIndex.get('github actions'));
