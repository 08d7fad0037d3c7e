// Plain JavaScript: a bin runs this before it can load TypeScript.
import { bundledEntry } from './bin-bundle.mjs';
import { registerTypeScript } from './register-typescript.mjs';

/**
 * Run a bin's TypeScript entry module. The entry and everything it imports run as one ES module bundled by esbuild and
 * cached under the nearest `node_modules/.cache/tbpipe-bins/` (see {@link bundledEntry}: rebuilt whenever a bundled
 * file's content changes, CommonJS packages `require`d as Node would load them). That starts a stage in ~0.2 s where
 * tsx's per-module hooks took ~0.6 s (packages/core/README.md). When no bundle can be used (esbuild missing, the
 * cache not writable, a build error) or `TBPIPE_BUNDLE=0`, the sources run through tsx as before, so a build error
 * is reported by tsx in its own words.
 * @param {URL} entry the bin's TypeScript module, e.g. `new URL('../src/cli.ts', import.meta.url)`
 * @returns {Promise<void>} settles when the entry module has been evaluated
 * @example
 * #!/usr/bin/env node
 * import { launch } from '@tbpipe/core/launch';
 * await launch(new URL('../src/cli.ts', import.meta.url));
 */
export async function launch(entry) {
  const bundle = process.env.TBPIPE_BUNDLE === '0' ? null : await bundledEntry(entry, { onFallback: warnFallback });
  // Source maps: stack traces and uncaught errors point into the .ts files, in both modes.
  process.setSourceMapsEnabled(true);
  if (bundle) {
    await import(bundle.href);
    return;
  }
  registerTypeScript();
  await import(entry.href);
}

/** One stderr line when the bundle could not be built or cached: the run still works, only its start is slower. */
function warnFallback(reason) {
  process.stderr.write(`tbpipe: running ${reason.entry} through tsx (slower start): ${reason.message}\n`);
}
