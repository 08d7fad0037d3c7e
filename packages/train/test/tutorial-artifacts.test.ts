import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { tutorialArtifacts } from './helpers/tutorial-artifacts.ts';

const recorded = JSON.parse(readFileSync(new URL('./fixtures/tutorial-artifacts.json', import.meta.url), 'utf8')) as Record<string, Record<string, string>>;

test('the tutorial network with seed 0 reproduces the recorded model, history, graph and predictions byte for byte (cpu, stock step)', async () => {
  assert.deepEqual(await tutorialArtifacts('cpu', 'stock'), recorded['cpu/stock']);
});

test('the tutorial network with seed 0 reproduces the recorded artifacts byte for byte (wasm, stock step)', async () => {
  assert.deepEqual(await tutorialArtifacts('wasm', 'stock'), recorded['wasm/stock']);
});
