// Plain JavaScript: a bin runs this before it can load TypeScript.
import { createRequire, register } from 'node:module';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);

/**
 * Let this process import `.ts` files: tsx's ESM hooks registered directly with `module.register`, which is what
 * tsx's `register()` (`tsx/esm/api`) ends up doing, without first loading that API, esbuild and tsx's CommonJS hooks
 * into the main thread, none of which a bin uses (esbuild runs in the hooks' thread): ~50 ms less wall time and
 * ~80 ms less CPU per start (a script importing one .ts file, 5 alternated runs each, load 7). Source maps are
 * switched on as tsx's `register()` does, so stack traces point into the `.ts` files.
 *
 * `required`: absolute paths of CommonJS modules the bin has already loaded with `require` (tfjs's bundles). An ES
 * `import` of one of them then gets a small ES module re-exporting the loaded module's properties, instead of Node
 * scanning its source for export names: Node 20 does that with the JavaScript build of cjs-module-lexer, ~0.2 s for
 * tfjs's 3.5 MB of bundles on this machine (see packages/train/README.md). Same objects, same export names
 * (`default` is `module.exports`, as for any CommonJS import).
 * @param {{ required?: readonly string[] }} [options]
 * @example
 * for (const name of TFJS) require(name); // before: no source maps read for them
 * registerTypeScript({ required: TFJS.map((name) => require.resolve(name)) });
 * await import('../src/cli.ts');
 */
export function registerTypeScript(options = {}) {
  process.setSourceMapsEnabled(true);
  register('tsx/esm', import.meta.url, { data: {} });
  const facades = Object.fromEntries((options.required ?? []).map((path) => [pathToFileURL(path).href, facadeSource(path)]));
  // Registered last, so its load hook runs first (before tsx's) for these URLs.
  if (Object.keys(facades).length > 0) register('./commonjs-facades.mjs', import.meta.url, { data: { facades } });
}

/**
 * An ES module exporting what Node's own import of the already-loaded CommonJS module at `path` exports: its
 * enumerable properties, `__esModule` when set (Babel/TypeScript interop flag, non-enumerable), and `default`.
 */
function facadeSource(path) {
  const loaded = require(path);
  const names = Object.keys(loaded).filter((name) => name !== 'default');
  if (Object.hasOwn(loaded, '__esModule') && !names.includes('__esModule')) names.push('__esModule');
  return [
    `import { createRequire } from 'node:module';`,
    `const m = createRequire(import.meta.url)(${JSON.stringify(path)});`,
    `export default m;`,
    ...names.map((name, i) => `const e${i} = m[${JSON.stringify(name)}]; export { e${i} as ${JSON.stringify(name)} };`),
  ].join('\n');
}
