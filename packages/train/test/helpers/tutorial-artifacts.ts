/**
 * sha256 of what the tutorial network produces on the repository's FashionMNIST sample with seed 0 (24 steps at batch
 * 4): the saved model, history.arrow, the GRAPHS GraphDef and evaluate's predictions. Recorded before the network
 * became data (fixtures/tutorial-artifacts.json) so that the spec-driven code is checked to reproduce them byte for
 * byte. Run `npx tsx packages/train/test/helpers/tutorial-artifacts.ts` to print the current values.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ingest } from '@tbpipe/ingest';
import { readImages } from '@tbpipe/ingest/contract';
import { createCnnTrainer, loadCnnPredictor } from '../../src/engine/index.ts';
import type { EngineOptions } from '../../src/engine/trainer.ts';
import { buildGraphDefinition } from '../../src/network/graph.ts';
import { tutorialNetwork } from '../../src/engine/model-io.ts';
import { normalizeImages } from '../../src/normalize.ts';
import { planBinary } from '../../src/kernels/plan.ts';
import { train } from '../../src/train.ts';
import type { BackendName } from '../../src/engine/types.ts';

const FIXTURE = new URL('../../../../test/fixtures/fashion-mnist-small/', import.meta.url).pathname;
const sha = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');
const bytes = (a: Float32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** The digests of one run on `backend` with the given step implementation. */
export async function tutorialArtifacts(backend: BackendName, trainStep: 'stock' | 'fused'): Promise<Record<string, string>> {
  const root = await mkdtemp(join(tmpdir(), 'tutorial-artifacts-'));
  try {
    const dataDir = join(root, 'ingest');
    await ingest({ dataDir: FIXTURE, outDir: dataDir });
    const outDir = join(root, 'out');
    await train({
      dataDir,
      outDir,
      runDir: join(root, 'run'),
      backend,
      seed: 0,
      maxSteps: 24,
      logEverySteps: 6,
      createTrainer: (o) => createCnnTrainer({ ...o, trainStep } as EngineOptions),
    });
    const test = await readImages(join(dataDir, 'test.arrow'));
    const predictor = await loadCnnPredictor(join(outDir, 'model'), { backend });
    const n = Math.min(test.count, 64);
    const p = predictor.predict(normalizeImages(test.images.subarray(0, n * 784)), n);
    predictor.dispose();
    return {
      'model.json': sha(await readFile(join(outDir, 'model/model.json'))),
      'weights.bin': sha(await readFile(join(outDir, 'model/weights.bin'))),
      'history.arrow': sha(await readFile(join(outDir, 'history.arrow'))),
      graph: sha(JSON.stringify(buildGraphDefinition(tutorialNetwork(), 4))),
      logits: sha(bytes(p.logits)),
      features: sha(bytes(p.features)),
    };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const out: Record<string, Record<string, string>> = {};
  out['cpu/stock'] = await tutorialArtifacts('cpu', 'stock');
  out['wasm/stock'] = await tutorialArtifacts('wasm', 'stock');
  // The fused step's bytes depend on the plan binary the engine picked (plan-fma.wasm where relaxed SIMD compiles).
  out[`wasm/fused ${planBinary()}`] = await tutorialArtifacts('wasm', 'fused');
  console.log(JSON.stringify(out, null, 2));
}
