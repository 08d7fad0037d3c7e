#!/usr/bin/env node
// The npm packages a training run loads, imported before tsx's hooks exist: no round trip per module to tsx's loader
// thread, and tfjs's four bundles load before tsx turns source maps on, so their 6.8 MB of .map files are never read
// (see the README's start-up section for what this saves). The stage's own imports of them then hit the module cache.
import { registerTypeScript } from '@tbpipe/core/register-typescript';

const help = process.argv.some((arg) => arg === '--help' || arg === '-h');
await Promise.all([
  import('apache-arrow'), import('pino'), import('valibot'), import('@valibot/to-json-schema'),
  import('@bufbuild/protobuf/wire'), import('@node-rs/crc32'), import('fast-png'), import('@napi-rs/canvas'), import('d3-scale-chromatic'),
  ...(help ? [] : [import('@tensorflow/tfjs-core'), import('@tensorflow/tfjs-layers'), import('@tensorflow/tfjs-backend-cpu'), import('@tensorflow/tfjs-backend-wasm')]),
]);
registerTypeScript();
await import('../src/cli.ts');
