// Plain JavaScript: loaded by bin-bundle.mjs, only when a bundle is (re)built.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire, isBuiltin } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

const FACADE = 'tbpipe-commonjs';

/**
 * The esbuild plugin behind {@link import('./bin-bundle.mjs').bundledEntry}: bare imports of CommonJS packages become
 * facades that `require` the installed file, and every bundled file keeps its own `import.meta.url` (and `.dirname`,
 * `.filename`). `import.meta.resolve` is not rewritten: it would resolve from the bundle.
 * `readHashes()` gives the sha1 of every source file the build compiled and every CommonJS file whose export names it
 * read, hashed from the very bytes used, so a file edited during the build cannot pass for the content bundled.
 * @returns {{ plugin: import('esbuild').Plugin, readHashes(): Map<string, string> }}
 */
export function bundlePlugin() {
  /** @type {Map<string, string>} path → sha1 of the bytes the build used */
  const hashes = new Map();
  const plugin = {
    name: 'tbpipe-bin-bundle',
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (args.pluginData === FACADE || args.namespace !== 'file' || isBuiltin(args.path)) return undefined;
        const resolved = await build.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: FACADE });
        // Not installed (an optional dependency such as @tensorflow/tfjs-node): left as an import that fails, as
        // from the sources, when the code tries it.
        if (resolved.errors.length > 0) return { path: args.path, external: true };
        if (resolved.external || !isCommonJs(resolved.path)) return resolved;
        return { path: resolved.path, namespace: FACADE };
      });
      build.onLoad({ filter: /.*/, namespace: FACADE }, (args) => {
        hashes.set(args.path, sha1(readFileSync(args.path)));
        return { contents: facadeSource(args.path), loader: 'js' };
      });
      build.onLoad({ filter: /\.(?:[cm]?ts|[cm]?js|tsx|jsx|json)$/ }, async (args) => {
        const bytes = await readFile(args.path);
        hashes.set(args.path, sha1(bytes));
        let source = bytes.toString('utf8');
        if (/import\.meta\.(?:url|dirname|filename)/.test(source)) {
          const own = { url: pathToFileURL(args.path).href, dirname: dirname(args.path), filename: args.path };
          source = source.replace(/import\.meta\.(url|dirname|filename)\b/g, (_, key) => JSON.stringify(own[key]));
        }
        return { contents: source, loader: loaderFor(args.path) };
      });
    },
  };
  return { plugin, readHashes: () => hashes };
}

function sha1(bytes) {
  return createHash('sha1').update(bytes).digest('hex');
}

/** Node's rule: `.cjs` is CommonJS, `.mjs` is not, `.js` follows the nearest package.json's `type`. */
function isCommonJs(path) {
  if (path.endsWith('.cjs')) return true;
  if (!path.endsWith('.js')) return false;
  for (let dir = dirname(path); dirname(dir) !== dir; dir = dirname(dir)) {
    let text;
    try {
      text = readFileSync(join(dir, 'package.json'), 'utf8');
    } catch {
      continue;
    }
    return JSON.parse(text).type !== 'module';
  }
  return true;
}

function loaderFor(path) {
  if (path.endsWith('.json')) return 'json';
  if (/\.[cm]?ts$/.test(path)) return 'ts';
  if (/\.[tj]sx$/.test(path)) return path.endsWith('.tsx') ? 'tsx' : 'jsx';
  return 'js';
}

/**
 * An ES module exporting what Node's own `import` of the CommonJS module at `path` exports: its enumerable properties
 * (read now, by loading it), `__esModule` when set (Babel/TypeScript interop flag, non-enumerable), and `default`
 * (`module.exports`). At run time it `require`s the same file, so it is the same object Node's import would give.
 */
function facadeSource(path) {
  const loaded = createRequire(import.meta.url)(path);
  const names = loaded !== null && (typeof loaded === 'object' || typeof loaded === 'function') ? Object.keys(loaded).filter((name) => name !== 'default') : [];
  if (loaded && Object.hasOwn(loaded, '__esModule') && !names.includes('__esModule')) names.push('__esModule');
  return [
    `import { createRequire } from 'node:module';`,
    `const m = createRequire(import.meta.url)(${JSON.stringify(path)});`,
    `export default m;`,
    ...names.map((name, i) => `const e${i} = m[${JSON.stringify(name)}]; export { e${i} as ${JSON.stringify(name)} };`),
  ].join('\n');
}
