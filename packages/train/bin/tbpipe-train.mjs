#!/usr/bin/env node
// The npm packages a training run loads, imported before tsx's hooks exist: no round trip per module to tsx's loader
// thread, and tfjs's four bundles are required before tsx turns source maps on (their 6.8 MB of .map files are never
// read) and handed to the engine's `import`s without Node scanning their source for export names (registerTypeScript's
// `required`). The stage's own imports then hit the module cache. What this saves: packages/train/README.md.
import { createRequire } from 'node:module';
import { registerTypeScript } from '@tbpipe/core/register-typescript';

const require = createRequire(import.meta.url);
const TFJS = ['@tensorflow/tfjs-core', '@tensorflow/tfjs-layers', '@tensorflow/tfjs-backend-cpu', '@tensorflow/tfjs-backend-wasm'];
const help = process.argv.some((arg) => arg === '--help' || arg === '-h');
await Promise.all([
  import('apache-arrow'), import('pino'), import('valibot'), import('@valibot/to-json-schema'),
  import('@bufbuild/protobuf/wire'), import('@node-rs/crc32'), import('fast-png'), import('@napi-rs/canvas'), import('d3-scale-chromatic'),
]);
if (!help) for (const name of TFJS) require(name);
registerTypeScript({ required: help ? [] : TFJS.map((name) => require.resolve(name)) });
await import('../src/cli.ts');
