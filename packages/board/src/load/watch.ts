/**
 * File-system change notifications for a logdir, debounced: `fs.watch` with `recursive` (Linux since Node 20,
 * macOS, Windows). Where the platform refuses, nothing is watched and the reload timer alone keeps the store current.
 */
import { watch, type FSWatcher } from 'node:fs';

/** Debounce of change notifications: a writer's burst of appends becomes one reload. */
export const WATCH_DEBOUNCE_MILLIS = 200;

/** Call `onChange` (debounced) when anything under `dir` changes; returns the function that stops watching. */
export function watchLogdir(dir: string, onChange: () => void): () => void {
  let timer: NodeJS.Timeout | null = null;
  let watcher: FSWatcher | null = null;
  try {
    watcher = watch(dir, { recursive: true, persistent: false }, () => {
      if (timer) return;
      timer = setTimeout(() => {
        timer = null;
        onChange();
      }, WATCH_DEBOUNCE_MILLIS);
    });
    watcher.on('error', () => {
      watcher?.close();
      watcher = null;
    });
  } catch {
    watcher = null;
  }
  return () => {
    if (timer) clearTimeout(timer);
    timer = null;
    watcher?.close();
    watcher = null;
  };
}
