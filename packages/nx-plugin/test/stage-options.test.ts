// pipeline.json's params, inputs and runs overrides are checked against each stage's generated options.schema.json
// when Nx builds the graph: on this repository's own packages and pipeline.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parsePipeline, readWorkspace } from '../src/index.mjs';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const FILE = 'pipelines/fashion-mnist/pipeline.json';
const workspace = readWorkspace(ROOT);
const pipeline = (): Record<string, any> => JSON.parse(readFileSync(join(ROOT, FILE), 'utf8'));

/** Parse the repo's pipeline after `edit`; the error message, or undefined when it parses. */
function failure(edit: (json: Record<string, any>) => void): string | undefined {
  const json = pipeline();
  edit(json);
  try {
    parsePipeline(FILE, json, workspace);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

describe('graph-time option checks', () => {
  it("accepts the repository's pipelines as they are", () => {
    assert.equal(failure(() => {}), undefined);
    const sweep = 'pipelines/lr-sweep/pipeline.json';
    assert.doesNotThrow(() => parsePipeline(sweep, JSON.parse(readFileSync(join(ROOT, sweep), 'utf8')), workspace));
  });

  it("names the issue's misspelt train param with the closest valid name", () => {
    assert.equal(
      failure((j) => (j.stages.train.params.learningRat = 0.01)),
      `${FILE}: stages.train.params.learningRat is not an option of @tbpipe/train; did you mean learningRate?`,
    );
    assert.equal(
      failure((j) => (j.stages.train.params.momentum = 1)),
      `${FILE}: stages.train.params.momentum is 1, expected a number ≥ 0 < 1 (see packages/train/options.schema.json)`,
    );
    assert.equal(
      failure((j) => (j.stages.train.params.histograms = 'no')),
      `${FILE}: stages.train.params.histograms is "no", expected true or false (see packages/train/options.schema.json)`,
    );
  });

  it('names a misspelt param with the closest valid name', () => {
    assert.equal(
      failure((j) => (j.stages.evaluate.params = { numThresold: 127 })),
      `${FILE}: stages.evaluate.params.numThresold is not an option of @tbpipe/evaluate; did you mean numThresholds?`,
    );
  });

  it('lists the params when no name is close', () => {
    // The list is every param the stage declares, read from its options.schema.json (so it grows with the stage).
    const schema = JSON.parse(readFileSync(join(ROOT, 'packages/evaluate/options.schema.json'), 'utf8'));
    const params = Object.entries(schema.properties).filter(([, o]: [string, any]) => (o['x-role'] ?? 'param') === 'param').map(([n]) => n);
    assert.ok(params.includes('numThresholds'));
    assert.equal(
      failure((j) => (j.stages.evaluate.params = { colour: 'red' })),
      `${FILE}: stages.evaluate.params.colour is not an option of @tbpipe/evaluate, expected one of ${params.join(', ')}`,
    );
  });

  it('rejects a value of the wrong type or out of range, with what the option accepts', () => {
    assert.equal(
      failure((j) => (j.stages.evaluate.params.numThresholds = 500)),
      `${FILE}: stages.evaluate.params.numThresholds is 500, expected an integer ≥ 2 ≤ 127 (see packages/evaluate/options.schema.json)`,
    );
    assert.equal(
      failure((j) => (j.stages.evaluate.params.numThresholds = '127')),
      `${FILE}: stages.evaluate.params.numThresholds is "127", expected an integer ≥ 2 ≤ 127 (see packages/evaluate/options.schema.json)`,
    );
    assert.equal(
      failure((j) => (j.stages.ingest.params.dataset = 'cifar')),
      `${FILE}: stages.ingest.params.dataset is "cifar", expected one of fashion-mnist, mnist, kmnist (see packages/ingest/options.schema.json)`,
    );
  });

  it('does not take an input directory as a param', () => {
    assert.match(failure((j) => (j.stages.evaluate.params.dataDir = 'x')) ?? '', /stages\.evaluate\.params\.dataDir is not an option of @tbpipe\/evaluate/);
  });

  it('names a misspelt input with the closest input', () => {
    assert.equal(
      failure((j) => (j.stages.evaluate.inputs = { data: 'ingest', modle: 'train' })),
      `${FILE}: stages.evaluate.inputs.modle is not an input of @tbpipe/evaluate; did you mean model?`,
    );
  });

  it("checks a sweep's runs overrides like params", () => {
    const run = (params: Record<string, unknown>) => (j: Record<string, any>) => (j.runs = { a: { evaluate: { numThresholds: 100 } }, b: { evaluate: params } });
    assert.equal(failure(run({ numThresholds: 50 })), undefined);
    assert.equal(
      failure(run({ numThreshold: 50 })),
      `${FILE}: runs.b.evaluate.numThreshold is not an option of @tbpipe/evaluate; did you mean numThresholds?`,
    );
    assert.equal(
      failure(run({ batchSize: 0 })),
      `${FILE}: runs.b.evaluate.batchSize is 0, expected an integer ≥ 1 (see packages/evaluate/options.schema.json)`,
    );
  });
});
