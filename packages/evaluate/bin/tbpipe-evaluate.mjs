#!/usr/bin/env node
// The npm packages an evaluate run loads, imported before tsx's hooks exist: no round trip per module to tsx's loader
// thread, and with --model (not --predictions) tfjs's bundles load before tsx turns source maps on, so their .map
// files are never read (see the README's performance section). The stage's own imports then hit the module cache.
import { registerTypeScript } from '@tbpipe/core/register-typescript';

const model = process.argv.some((arg) => arg === '--model' || arg.startsWith('--model='));
await Promise.all([
  import('apache-arrow'), import('pino'), import('valibot'), import('@valibot/to-json-schema'),
  import('@bufbuild/protobuf/wire'), import('@node-rs/crc32'), import('fast-png'), import('@napi-rs/canvas'), import('d3-scale-chromatic'),
  ...(model ? [import('@tensorflow/tfjs-core'), import('@tensorflow/tfjs-layers'), import('@tensorflow/tfjs-backend-cpu'), import('@tensorflow/tfjs-backend-wasm')] : []),
]);
registerTypeScript();
await import('../src/cli.ts');
