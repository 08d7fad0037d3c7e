// End to end through Nx: a broken pipeline.json stops `npx nx show projects` with the plugin's one-line message.
// (The plugin's own table of validation cases is packages/nx-plugin/test/create-nodes.test.ts.)
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { createToyWorkspace, TOY_PIPELINE } from '../helpers/toy-workspace.ts';

const CASES: [what: string, text: string, line: RegExp][] = [
  [
    'an input naming a stage that does not exist',
    JSON.stringify({ ...TOY_PIPELINE, stages: { ...TOY_PIPELINE.stages, train: { ...TOY_PIPELINE.stages.train, inputs: { data: 'ingset' } } } }),
    /^\s*-?\s*pipelines\/toy\/pipeline\.json: stages\.train\.inputs\.data names stage "ingset", expected one of [a-z, ]+$/m,
  ],
  ['text that is not JSON', '{ "name": "toy", ', /^\s*-?\s*pipelines\/toy\/pipeline\.json: invalid JSON \(.*\), expected a JSON object$/m],
];

describe('npx nx show projects in a workspace whose pipeline.json is broken', () => {
  for (const [what, text, line] of CASES) {
    it(`prints the plugin's one line (file, JSON path, expectation) for ${what} and exits non-zero`, async () => {
      const ws = await createToyWorkspace();
      try {
        await ws.write('pipelines/toy/pipeline.json', text);
        const failure = await ws.nx('show', 'projects').then(
          () => assert.fail('nx accepted the broken pipeline.json'),
          (err: Error) => err.message,
        );
        assert.match(failure, /^npx nx show projects exited [1-9]\d*:/);
        assert.equal(failure.split('\n').filter((l) => line.test(l)).length, 1, failure);
        assert.doesNotMatch(failure, /\n\s+at .*\.m?js:\d+/, 'no stack trace');
      } finally {
        await rm(ws.root, { recursive: true, force: true });
        await rm(`${ws.root}.ran.log`, { force: true });
      }
    });
  }
});
