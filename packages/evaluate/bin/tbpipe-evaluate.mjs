#!/usr/bin/env node
// The npm packages an evaluate run loads, imported before tsx's hooks exist: no round trip per module to tsx's loader
// thread. With --model (not --predictions), tfjs's four bundles are required before tsx turns source maps on (their
// .map files are never read) and handed to the engine's `import`s without Node scanning their source for export names
// (registerTypeScript's `required`). The stage's own imports then hit the module cache. What this saves: the README.
import { createRequire } from 'node:module';
import { registerTypeScript } from '@tbpipe/core/register-typescript';

const require = createRequire(import.meta.url);
const TFJS = ['@tensorflow/tfjs-core', '@tensorflow/tfjs-layers', '@tensorflow/tfjs-backend-cpu', '@tensorflow/tfjs-backend-wasm'];
const model = process.argv.some((arg) => arg === '--model' || arg.startsWith('--model='));
await Promise.all([
  import('apache-arrow'), import('pino'), import('valibot'), import('@valibot/to-json-schema'),
  import('@bufbuild/protobuf/wire'), import('@node-rs/crc32'), import('fast-png'), import('@napi-rs/canvas'), import('d3-scale-chromatic'),
]);
if (model) for (const name of TFJS) require(name);
registerTypeScript({ required: model ? TFJS.map((name) => require.resolve(name)) : [] });
await import('../src/cli.ts');
