// The `npm run build` step after tsc: compiles config/dictionaries into dist/extract/knowledge-index.json
// with the compiled builder, so that a process start reads the index instead of building it again.
import { buildKnowledge } from '../dist/extract/knowledge.js';
import {
  COMPILED_INDEX,
  readDictionarySources,
  writeCompiledIndex,
} from '../dist/extract/knowledge-index.js';

const sources = readDictionarySources();
const knowledge = buildKnowledge(sources);
writeCompiledIndex(knowledge, sources);
console.log(`attribot: ${knowledge.stats.patterns} dictionary names compiled to ${COMPILED_INDEX}`);
