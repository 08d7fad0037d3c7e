import os from 'node:os';

/**
 * Lowers this thread's scheduling priority to `niceness` (0 unchanged … 19 lowest, as `nice`); never raises it. On
 * Linux a priority belongs to a thread and threads started afterwards inherit it, so call this before starting the
 * UMAP workers. Returns the priority now in effect.
 *
 * Why: the pixels-only run goes beside the train stage on a 2-core machine, and at the same priority it took train's
 * auxiliary threads' CPU (GC, PNG encoding): train ran 0.9–1.0 s slower beside it, 0.35–0.55 s with niceness 19
 * (2 alternated runs each, load ~1.5).
 */
export function lowerPriority(niceness: number): number {
  const current = os.getPriority();
  if (niceness > current) os.setPriority(niceness);
  return os.getPriority();
}
