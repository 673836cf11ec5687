#!/usr/bin/env node
// Runs the compiled CLI; `npm ci` compiles it through the `prepare` script.
import { setFlagsFromString } from 'node:v8';

// Extraction runs a few hundred large regular expressions over every sentence: V8 compiling each straight to
// machine code beats interpreting it first and compiling it again on its second run (about a tenth of the
// time of `attribot extract` over a thousand articles; see `npm run bench:extract`). Node warns that flags set
// after start-up may misbehave: this one is read when a regular expression is first compiled, and none is yet.
// It changes speed only, never a match (tests that import the source run without it and get the same output).
setFlagsFromString('--no-regexp-tier-up');
import('../dist/cli.js').catch((error) => {
  if (error && error.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist/cli.js')) {
    console.error('attribot: dist/ is missing; run `npm run build` (npm ci does it through `prepare`).');
    process.exit(2);
  }
  throw error;
});
