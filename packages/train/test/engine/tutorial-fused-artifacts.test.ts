import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { tutorialArtifacts } from '../helpers/tutorial-artifacts.ts';

const recorded = JSON.parse(readFileSync(new URL('../fixtures/tutorial-artifacts.json', import.meta.url), 'utf8')) as Record<string, Record<string, string>>;

test("the tutorial network trained by the fused engine (its fixed kernel behind the plan's seam) reproduces the artifacts recorded before the plan existed, byte for byte", async () => {
  assert.deepEqual(await tutorialArtifacts('wasm', 'fused'), recorded['wasm/fused']);
});
