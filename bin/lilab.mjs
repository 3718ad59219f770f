#!/usr/bin/env node
// The `lilab` command: runs the TypeScript sources directly (tsx) and loads `*.wgsl?raw` imports as strings, the same
// import form that Vite uses in the browser and worker, so every face of the lab reads the same shader files.
import { register } from 'node:module';
import { register as registerTsx } from 'tsx/esm/api';

registerTsx();
register('./wgsl-loader.mjs', import.meta.url);
const { main } = await import('../src/cli/main.ts');
const code = await main(process.argv.slice(2));
process.exitCode = code;
