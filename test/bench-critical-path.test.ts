import assert from 'node:assert/strict';
import { test } from 'node:test';
import { criticalPath, criticalPathText } from '../bench/pipeline/render-markdown.ts';

// The pipelines' shape since the project-pixels split: the pixel half reads only ingest and runs beside train.
const STAGES = [
  { stage: 'ingest', upstream: [] },
  { stage: 'train', upstream: ['ingest'] },
  { stage: 'evaluate', upstream: ['ingest', 'train'] },
  { stage: 'project-pixels', upstream: ['ingest'] },
  { stage: 'project', upstream: ['project-pixels', 'evaluate'] },
];

test('the bench report’s critical path is the longest chain, with the stage beside it and its slack', () => {
  const seconds: Record<string, number> = { ingest: 1, train: 6, evaluate: 2, 'project-pixels': 3, project: 2 };
  const path = criticalPath(STAGES, (s) => seconds[s]!);
  assert.deepEqual(path.stages, ['ingest', 'train', 'evaluate', 'project']);
  assert.equal(path.seconds, 11);
  assert.deepEqual(path.beside, [{ stage: 'project-pixels', seconds: 3, start: 1, end: 4, slack: 5 }]);
  assert.match(criticalPathText(path, 12.5), /ingest → train → evaluate → project = 11\.0 s\. project-pixels \(3\.0 s\) runs beside it, from 1\.0 s to 4\.0 s, with 5\.0 s to spare .* Nx adds about 1\.5 s/);
});

test('a pixel half slower than train and evaluate becomes the critical path', () => {
  const seconds: Record<string, number> = { ingest: 1, train: 2, evaluate: 1, 'project-pixels': 5, project: 2 };
  assert.deepEqual(criticalPath(STAGES, (s) => seconds[s]!).stages, ['ingest', 'project-pixels', 'project']);
});

test('stages without upstream lists (reports from before the split) form one chain in their order', () => {
  const path = criticalPath([{ stage: 'a' }, { stage: 'b' }, { stage: 'c' }], () => 2);
  assert.deepEqual(path.stages, ['a', 'b', 'c']);
  assert.equal(path.seconds, 6);
  assert.deepEqual(path.beside, []);
});
