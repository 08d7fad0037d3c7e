import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startBoard, type Board } from '../src/index.ts';
import { encodeBlobKey } from '../src/routes/blob-key.ts';
import { FakeStore } from './helpers/fake-store.ts';

const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
const text = (s: string) => new TextEncoder().encode(s);

describe('board HTTP server (routes over an in-memory provider)', () => {
  let board: Board;
  const store = new FakeStore('/logdir');
  const get = (path: string, init?: RequestInit) => fetch(`${board.url}${path}`, init);
  const errorOf = async (res: Response) => {
    assert.equal(res.headers.get('content-type'), 'application/json');
    const body = (await res.json()) as { error: string };
    assert.equal(typeof body.error, 'string');
    assert.ok(!body.error.includes('\n'), 'one line');
    assert.doesNotMatch(body.error, /\bat .*\.ts:\d+/, 'no stack');
    return body.error;
  };

  before(async () => {
    store
      .addScalar('train', 'loss', 0, 10.5, 1.5)
      .addScalar('train', 'loss', 1, 11.5, Number.NaN)
      .addScalar('train', 'acc', 1, 11.5, 0.25)
      .addScalar('eval,1', 'loss', 1, 12.5, -Infinity)
      .addBlobs('train', 'sample', 'images', 3, 13.5, [text('4'), text('4'), PNG])
      .addTensor('train', 'note', 'text', 0, 14.5, { dtype: 7, shape: [], strings: [text('*hi* <script>alert(1)</script> & [x](javascript:alert(1))')] });
    await store.reload();
    board = await startBoard({ logdir: '/tmp', port: 0, store });
  });
  after(async () => {
    await board.close();
  });

  it('answers an unknown plugin, an unknown route and an unknown page with 404 and a one-line JSON message', async () => {
    for (const path of ['/data/plugin/no_such_plugin/tags', '/data/plugin/scalars/nope', '/data/nope', '/api/nope', '/nope.js']) {
      const res = await get(path);
      assert.equal(res.status, 404, path);
      assert.match(await errorOf(res), /no (route|such page)/);
    }
  });

  it('answers a missing or malformed parameter with 400, never a crash', async () => {
    const cases = [
      '/data/plugin/scalars/scalars?run=train',
      '/data/plugin/images/images?run=train&tag=sample&sample=abc',
      '/data/plugin/images/individualImage?blob_key=not-json',
      '/data/plugin/images/individualImage?blob_key=%00%00',
      '/data/plugin/images/individualImage',
      '/data/plugin/timeseries/imageData?imageId=WyJ4Il0',
      '/data/plugin/histograms/histograms',
      '/data/plugin/pr_curves/pr_curves?tag=x',
      '/data/plugin/timeseries/timeSeries?requests=%7Bnot%20json',
      '/api/export?run=(',
      '/api/export?plugin=images',
      '/api/export?format=xml',
    ];
    for (const path of cases) {
      const res = await get(path);
      assert.equal(res.status, 400, path);
      await errorOf(res);
    }
    const multirun = new FormData();
    multirun.append('runs', 'train');
    assert.equal((await get('/data/plugin/scalars/scalars_multirun', { method: 'POST', body: multirun })).status, 400);
  });

  it('answers an unknown run or tag with 404 where TensorBoard does, and with [] for text', async () => {
    assert.equal((await get('/data/plugin/scalars/scalars?run=nope&tag=loss')).status, 404);
    assert.equal((await get('/data/plugin/images/images?run=nope&tag=sample')).status, 404);
    assert.equal((await get('/data/plugin/histograms/histograms?run=nope&tag=x')).status, 404);
    const res = await get('/data/plugin/text/text?run=nope&tag=nope');
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), []);
  });

  it('serves a kept image by its TensorBoard blob key and 404s one that is not kept', async () => {
    const listing = (await (await get('/data/plugin/images/images?run=train&tag=sample')).json()) as { query: string }[];
    assert.equal(listing.length, 1);
    const key = encodeBlobKey({ experimentId: '', plugin: 'images', run: 'train', tag: 'sample', step: 3, index: 2 });
    assert.equal(listing[0].query, `blob_key=${key}`);
    const res = await get(`/data/plugin/images/individualImage?${listing[0].query}`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'image/png');
    assert.deepEqual(new Uint8Array(await res.arrayBuffer()), PNG);
    const gone = encodeBlobKey({ experimentId: '', plugin: 'images', run: 'train', tag: 'sample', step: 99, index: 2 });
    assert.equal((await get(`/data/plugin/images/individualImage?blob_key=${gone}`)).status, 404);
  });

  it('puts the experiment id of /experiment/<id>/ routes into blob keys, as TensorBoard does', async () => {
    const form = new FormData();
    form.append('requests', JSON.stringify([{ plugin: 'images', tag: 'sample', run: 'train', sample: 0 }]));
    const res = await get('/experiment/defaultExperimentId/data/plugin/timeseries/timeSeries', { method: 'POST', body: form });
    const [series] = (await res.json()) as { runToSeries: Record<string, { imageId: string }[]> }[];
    const id = series.runToSeries.train[0].imageId;
    assert.deepEqual(JSON.parse(Buffer.from(id, 'base64url').toString()), ['defaultExperimentId', 'images', 'train', 'sample', 3, 2]);
    assert.equal((await get(`/data/plugin/timeseries/imageData?imageId=${id}`)).status, 200);
  });

  it('escapes HTML outside the allow-list and drops javascript: links in text, with and without Markdown', async () => {
    const [md] = (await (await get('/data/plugin/text/text?run=train&tag=note')).json()) as { text: string }[];
    assert.ok(!md.text.includes('<script'), md.text);
    assert.match(md.text, /&lt;script&gt;/);
    assert.match(md.text, /<em>hi<\/em>/);
    assert.doesNotMatch(md.text, /href="javascript/i);
    const [plain] = (await (await get('/data/plugin/text/text?run=train&tag=note&markdown=false')).json()) as { text: string }[];
    assert.ok(!plain.text.includes('<script'), plain.text);
    assert.match(plain.text, /\*hi\*/);
  });

  it('exports every run × tag of the scalars in long CSV, with Python float text and quoted names', async () => {
    const res = await get('/api/export?plugin=scalars&format=csv');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-disposition') ?? '', /attachment; filename="scalars.csv"/);
    assert.equal(
      await res.text(),
      'run,tag,step,wall_time,value\r\n' +
        'train,acc,1,11.5,0.25\r\n' +
        'train,loss,0,10.5,1.5\r\n' +
        'train,loss,1,11.5,nan\r\n' +
        '"eval,1",loss,1,12.5,-inf\r\n',
    );
  });

  it('exports JSON rows filtered by run and tag regular expressions', async () => {
    const res = await get(`/api/export?plugin=scalars&format=json&run=${encodeURIComponent('^train$')}&tag=loss`);
    assert.deepEqual(await res.json(), [
      { run: 'train', tag: 'loss', step: 0, wall_time: 10.5, value: 1.5 },
      { run: 'train', tag: 'loss', step: 1, wall_time: 11.5, value: 'NaN' },
    ]);
  });

  it('refuses methods other than GET, HEAD and POST with 405, and bodies over 10 MiB with 413', async () => {
    const put = await get('/data/runs', { method: 'PUT' });
    assert.equal(put.status, 405);
    await errorOf(put);
    const big = await get('/data/plugin/scalars/scalars_multirun', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new Uint8Array(10 * 1024 * 1024 + 1),
    });
    assert.equal(big.status, 413);
  });

  it('answers HEAD like GET without a body', async () => {
    const res = await get('/data/runs', { method: 'HEAD' });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/json');
    assert.equal((await res.arrayBuffer()).byteLength, 0);
  });

  it('lists dashboards in TensorBoard’s tab order with enabled from the provider’s plugins', async () => {
    const listing = (await (await get('/data/plugins_listing')).json()) as Record<string, { enabled: boolean }>;
    assert.deepEqual(Object.keys(listing).slice(0, 4), ['timeseries', 'scalars', 'custom_scalars', 'images']);
    assert.equal(listing.scalars.enabled, true);
    assert.equal(listing.text.enabled, true);
    assert.equal(listing.histograms.enabled, false);
    assert.equal(listing.audio.enabled, false);
  });
});
