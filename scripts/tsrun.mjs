#!/usr/bin/env node
// Runs a TypeScript file of the project (tools, one-off scripts) with the same loaders as the lilab command:
// node scripts/tsrun.mjs tools/dft/main.ts label [args]
import { register } from 'node:module';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { register as registerTsx } from 'tsx/esm/api';

registerTsx();
register('../bin/wgsl-loader.mjs', import.meta.url);
const file = process.argv[2];
if (!file) {
  console.error('usage: node scripts/tsrun.mjs FILE.ts [args]');
  process.exit(2);
}
process.argv.splice(1, 1);
await import(pathToFileURL(resolve(file)).href);
