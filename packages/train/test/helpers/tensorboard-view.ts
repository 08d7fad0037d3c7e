/**
 * What TensorBoard would show for one run directory, computed from the event files with TensorBoard's loading
 * rules: files in name order, events in file order, and a `session_log { status: START }` at step S (a writer's
 * `purgeStep`) drops every point loaded so far with step ≥ S.
 */
import { decodePng, readAllEvents } from '@tbpipe/eventlog';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

export interface RunView {
  files: string[];
  scalars: Map<string, { step: number; value: number }[]>;
  images: Map<string, { step: number; width: number; height: number; png: Uint8Array }[]>;
  graphs: Uint8Array[];
}

export async function viewRun(runDir: string): Promise<RunView> {
  const files = (await readdir(runDir)).filter((n) => n.startsWith('events.out.tfevents.')).sort();
  const view: RunView = { files, scalars: new Map(), images: new Map(), graphs: [] };
  const push = <T extends { step: number }>(m: Map<string, T[]>, tag: string, v: T) => m.set(tag, [...(m.get(tag) ?? []), v]);
  for (const name of files) {
    for (const e of await readAllEvents(join(runDir, name))) {
      if (e.sessionLog?.status === 1) {
        for (const m of [view.scalars, view.images] as Map<string, { step: number }[]>[]) {
          for (const [tag, points] of m) m.set(tag, points.filter((p) => p.step < e.step));
        }
      }
      if (e.graphDef) view.graphs.push(e.graphDef);
      for (const v of e.summary?.value ?? []) {
        if (v.simpleValue !== undefined) push(view.scalars, v.tag, { step: e.step, value: v.simpleValue });
        if (v.image) {
          push(view.images, v.tag, { step: e.step, width: v.image.width, height: v.image.height, png: v.image.encodedImageString });
        }
      }
    }
  }
  return view;
}

export { decodePng };
