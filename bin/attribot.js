#!/usr/bin/env -S node --no-regexp-tier-up
// Runs the compiled CLI; `npm ci` compiles it through the `prepare` script.
// The flag (read when `npx attribot` or the installed `attribot` starts this file): extraction runs a few hundred
// large regular expressions over every sentence, and V8 compiling each straight to machine code beats
// interpreting it first and compiling it again on its second run (about a tenth of `attribot extract` over a
// thousand articles; `npm run bench:extract`). It changes speed only, never a match. It is given at start-up, not
// set from here: a V8 flag flipped in a running process crashed a worker.
import('../dist/cli.js').catch((error) => {
  if (error && error.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist/cli.js')) {
    console.error('attribot: dist/ is missing; run `npm run build` (npm ci does it through `prepare`).');
    process.exit(2);
  }
  throw error;
});
