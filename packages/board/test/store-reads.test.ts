// The data-provider reads over a loaded logdir, as TensorBoard's MultiplexerDataProvider answers them.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DataType } from '@tbpipe/eventlog';
import { encodeBlobKey } from '../src/store/reads.ts';
import { EF, fileVersion, openTestLogdir, scalar, summary, tempLogdir, writeEvents } from './load-helpers.ts';

const png = (n: number) => Uint8Array.of(0x89, 0x50, n);
const image = (tag: string, step: number, n: number, wallTime = 1700000000 + step) => summary({ tag, image: { height: 1, width: 1, colorspace: 3, encodedImageString: png(n) } }, step, wallTime);

async function fixture() {
  const d = tempLogdir();
  writeEvents(join(d, EF), [
    fileVersion(),
    image('img', 2, 20),
    image('img', 1, 10),
    image('img', 2, 21, 1700000099),
    scalar('loss', 0, 0.5),
    scalar('loss', 1, 0.25),
    summary({ tag: 'custom', metadata: { pluginData: { pluginName: 'my_plugin', content: Uint8Array.of(1) } } }, 0),
    summary({ tag: 'h', metadata: { pluginData: { pluginName: 'histograms', content: new Uint8Array(0) } }, tensor: { dtype: DataType.DT_DOUBLE, tensorShape: { dim: [{ size: 1 }, { size: 3 }] }, doubleVal: [0, 1, 5] } }, 3),
  ]);
  return openTestLogdir(d);
}

describe('data-provider reads', () => {
  it('gives blob sequences one point per step (the first kept), sorted by step, with blob keys TensorBoard would make', async () => {
    const s = await fixture();
    const seq = s.readBlobSequences('images', 10).get('.')!.get('img')!;
    assert.deepEqual(seq.map((d) => [d.step, d.wallTime]), [[1, 1700000001], [2, 1700000002]]);
    assert.equal(seq[1].blobKeys[2], encodeBlobKey('images', '.', 'img', 2, 2));
    assert.deepEqual(Array.from(s.readBlob(seq[1].blobKeys[2])!), Array.from(png(20)));
    assert.equal(s.readBlobSequences('images', 1).get('.')!.get('img')!.map((d) => d.step).join(), '2', 'downsample keeps the last');
    await s.close();
  });

  it('reads a blob by a key with any experiment id, and answers undefined for unknown or malformed keys', async () => {
    const s = await fixture();
    const key = (exp: string, step: number, index: number) => Buffer.from(JSON.stringify([exp, 'images', '.', 'img', step, index])).toString('base64url');
    assert.deepEqual(Array.from(s.readBlob(key('defaultExperimentId', 1, 2))!), Array.from(png(10)));
    assert.equal(s.readBlob(key('', 7, 2)), undefined);
    assert.equal(s.readBlob(key('', 1, 9)), undefined);
    assert.equal(s.readBlob('not a key'), undefined);
    assert.equal(s.readBlob(Buffer.from('["", "scalars", ".", "loss", 0, 0]').toString('base64url')), undefined, 'scalars are not blobs');
    await s.close();
  });

  it('lists a series only under its plugin and data class, and honours run and tag filters', async () => {
    const s = await fixture();
    assert.deepEqual([...s.listScalars('scalars').get('.')!.keys()], ['loss']);
    assert.equal(s.listTensors('scalars').size, 0);
    assert.equal(s.listScalars('images').size, 0);
    assert.equal(s.readScalars('scalars', 10, { runs: ['other'] }).size, 0);
    assert.equal(s.readScalars('scalars', 10, { tags: ['nope'] }).size, 0);
    const info = s.listBlobSequences('images').get('.')!.get('img')!;
    assert.deepEqual([info.maxStep, info.maxWallTime, info.maxLength, info.displayName], [2, 1700000099, 3, 'img']);
    await s.close();
  });

  it('counts a plugin with metadata but no points as active, as TensorBoard does', async () => {
    const s = await fixture();
    assert.deepEqual(s.listPlugins(), ['histograms', 'images', 'my_plugin', 'scalars']);
    await s.close();
  });

  it('reads tensors with their shape and float64 values', async () => {
    const s = await fixture();
    const [d] = s.readTensors('histograms', 10).get('.')!.get('h')!;
    assert.deepEqual([d.step, d.value.dtype, d.value.shape, Array.from(d.value.numbers!)], [3, DataType.DT_DOUBLE, [1, 3], [0, 1, 5]]);
    await s.close();
  });
});
