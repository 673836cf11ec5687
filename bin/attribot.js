#!/usr/bin/env node
// Runs the compiled CLI; `npm ci` compiles it through the `prepare` script.
import('../dist/cli.js').catch((error) => {
  if (error && error.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist/cli.js')) {
    console.error('attribot: dist/ is missing; run `npm run build` (npm ci does it through `prepare`).');
    process.exit(2);
  }
  throw error;
});
