// Writes config/attribot.schema.json, the JSON Schema editors use for the config files, from the zod
// schema (src/config/schema.ts). Usage: npm run schema
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { configJsonSchemaText } from '../src/config/json-schema.js';

const file = fileURLToPath(new URL('../config/attribot.schema.json', import.meta.url));
writeFileSync(file, configJsonSchemaText());
console.log(`wrote ${file}`);
