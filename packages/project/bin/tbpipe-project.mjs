#!/usr/bin/env node
// The npm packages a project run loads, imported before tsx's hooks exist: no round trip per module to tsx's loader
// thread (apache-arrow alone is ~160 ES modules). The stage's own imports of them then hit the module cache.
import { registerTypeScript } from '@tbpipe/core/register-typescript';

await Promise.all([
  import('apache-arrow'), import('pino'), import('valibot'), import('@valibot/to-json-schema'),
  import('@bufbuild/protobuf/wire'), import('@node-rs/crc32'), import('fast-png'), import('@napi-rs/canvas'), import('d3-scale-chromatic'),
  import('ml-pca'), import('umap-js/dist/umap.js'),
]);
registerTypeScript();
await import('../src/cli.ts');
