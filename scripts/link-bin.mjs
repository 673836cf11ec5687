// `npx attribot` in a checkout: npm links only dependencies' bins, and a `bin` field in our own package.json
// would make npm exec install a copy of the whole project into its cache. So prepare links it here.
import { chmodSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const binDir = join(root, 'node_modules', '.bin');
const target = join(root, 'bin', 'attribot.js');
const link = join(binDir, 'attribot');
mkdirSync(binDir, { recursive: true });
rmSync(link, { force: true });
symlinkSync(relative(binDir, target), link);
chmodSync(target, 0o755);
