import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/** One static file of the browser app. */
export interface UiAsset {
  body: Uint8Array;
  contentType: string;
}

const uiDir = fileURLToPath(new URL('../ui/', import.meta.url));

/**
 * Bundles the browser app from `ui/` with esbuild (in memory, no network, nothing written to disk) and returns its
 * files by URL path (`/`, `/app.js`, `/app.css`, ...). The server calls it once at start-up and serves the result.
 */
export async function buildUiAssets(): Promise<Map<string, UiAsset>> {
  const result = await build({
    entryPoints: { app: `${uiDir}main.ts` },
    bundle: true,
    format: 'esm',
    target: 'es2022',
    minify: true,
    // Dashboards that import a large library lazily (`await import('three')`) get it as a separate chunk, so the
    // first paint of the other tabs does not wait for it.
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    write: false,
    outdir: '/',
    logLevel: 'silent',
  });
  const assets = new Map<string, UiAsset>();
  for (const file of result.outputFiles) {
    const type = file.path.endsWith('.css') ? 'text/css; charset=utf-8' : 'text/javascript; charset=utf-8';
    assets.set(file.path, { body: file.contents, contentType: type });
  }
  const html = await readFile(`${uiDir}index.html`);
  assets.set('/', { body: html, contentType: 'text/html; charset=utf-8' });
  assets.set('/index.html', { body: html, contentType: 'text/html; charset=utf-8' });
  return assets;
}
