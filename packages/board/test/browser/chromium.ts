/**
 * Finding and launching Debian's Chromium for the browser tests and the UI bench (playwright-core drives it;
 * `playwright install` cannot download here). `CHROMIUM_PATH` wins, else `chromium` / `chromium-browser` on PATH.
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

/** Path of a Chromium executable, or null when none is installed. */
export function findChromium(): string | null {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) return fromEnv;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    for (const name of ['chromium', 'chromium-browser']) {
      const p = join(dir, name);
      try {
        accessSync(p, constants.X_OK);
        return p;
      } catch { /* not here */ }
    }
  }
  return null;
}

/** Why the browser tests cannot run, or null when they can. In CI (`CI` set) a missing browser is not a reason:
 *  the caller fails instead of skipping. */
export function skipReason(): string | null {
  if (findChromium()) return null;
  return 'no Chromium: set CHROMIUM_PATH or `apt-get install -y chromium` (.ci/run installs it)';
}

/** Launches headless Chromium with the flags this machine needs. */
export async function launchChromium(): Promise<Browser> {
  const executablePath = findChromium();
  if (!executablePath) throw new Error(`board browser tests: ${skipReason()}`);
  return chromium.launch({
    executablePath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
  });
}
