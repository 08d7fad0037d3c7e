import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { tutorialArtifacts } from '../helpers/tutorial-artifacts.ts';
import { planBinary } from '../../src/kernels/plan.ts';

const recorded = JSON.parse(readFileSync(new URL('../fixtures/tutorial-artifacts.json', import.meta.url), 'utf8')) as Record<string, Record<string, string>>;

test("the tutorial network trained by the fused engine (the plan, on this runtime's binary) reproduces the artifacts recorded with that binary, byte for byte", async () => {
  const key = `wasm/fused ${planBinary()}`;
  assert.ok(recorded[key], `no artifacts recorded for ${key}; record them with test/helpers/tutorial-artifacts.ts`);
  assert.deepEqual(await tutorialArtifacts('wasm', 'fused'), recorded[key]);
});
