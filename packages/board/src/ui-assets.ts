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
    // Dashboards loaded on first visit (ui/dashboards/lazy.ts: GRAPHS, PROJECTOR) become separate chunks, so their
    // libraries (dagre, three.js) are not parsed before the first tab's first paint.
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    write: false,
    outdir: '/',
    logLevel: 'silent',
  });
  const assets = new Map<string, UiAsset>();
  // esbuild gives a lazily loaded chunk its own CSS file but nothing loads it: every stylesheet goes into app.css.
  const css: Uint8Array[] = [];
  for (const file of result.outputFiles) {
    if (file.path.endsWith('.css')) {
      if (file.path === '/app.css') css.unshift(file.contents);
      else css.push(file.contents);
    } else {
      assets.set(file.path, { body: file.contents, contentType: 'text/javascript; charset=utf-8' });
    }
  }
  assets.set('/app.css', { body: Buffer.concat(css.flatMap((c) => [c, Buffer.from('\n')])), contentType: 'text/css; charset=utf-8' });
  const html = await readFile(`${uiDir}index.html`);
  assets.set('/', { body: html, contentType: 'text/html; charset=utf-8' });
  assets.set('/index.html', { body: html, contentType: 'text/html; charset=utf-8' });
  return assets;
}
