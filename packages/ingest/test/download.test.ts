// The download path against a local HTTP server on 127.0.0.1 that serves the fixture files as a mirror would:
// intact, damaged (wrong checksum), cut off mid-body, or missing.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { IDX_FILES, IDX_ROLES, type ChecksumTable } from '../src/datasets.ts';
import { downloadDataset } from '../src/download.ts';
import { INGEST_ERROR_CODES } from '../src/errors.ts';
import { ingest } from '../src/ingest.ts';
import { FIXTURE_DIR, isolated, listFiles, loadFixture, tempDir } from './helpers.ts';

interface Mirror {
  base: string;
  /** Requests seen, as paths. */
  requests: string[];
}

/**
 * Routes: /good/<file> serves the fixture; /damaged/<file> the fixture with one byte flipped; /truncated/<file>
 * announces the full length, sends half and drops the connection; anything else is 404.
 */
async function startMirror(t: TestContext): Promise<Mirror> {
  const fixture = await loadFixture();
  const byName = new Map(IDX_ROLES.map((role) => [`${IDX_FILES[role]}.gz`, fixture[role].gz]));
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const [, route, name] = (req.url ?? '').split('/');
    const body = byName.get(name ?? '');
    if (!body || !['good', 'damaged', 'truncated'].includes(route ?? '')) {
      res.writeHead(404, 'Not Found').end('no such file');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/gzip', 'content-length': body.length });
    if (route === 'good') res.end(body);
    else if (route === 'damaged') {
      const copy = Buffer.from(body);
      copy[copy.length >> 1]! ^= 0xff;
      res.end(copy);
    } else res.write(body.subarray(0, body.length >> 1), () => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const { port } = server.address() as AddressInfo;
  return { base: `http://127.0.0.1:${port}`, requests };
}

/** Checksums of the fixture files, as a private mirror's table would hold them. */
async function fixtureChecksums(): Promise<ChecksumTable> {
  const fixture = await loadFixture();
  const table = {} as ChecksumTable;
  for (const role of IDX_ROLES) {
    table[role] = {
      sha256: createHash('sha256').update(fixture[role].gz).digest('hex'),
      md5: createHash('md5').update(fixture[role].gz).digest('hex'),
      contentSha256: createHash('sha256').update(fixture[role].idx).digest('hex'),
    };
  }
  return table;
}

test('a verified download lands in the cache, is ingested, and the next run reads the cache without the network', async (t) => {
  const mirror = await startMirror(t);
  const tmp = await tempDir(t);
  const options = { ...isolated(join(tmp, 'cache')), offline: false, mirror: `${mirror.base}/good/`, checksums: await fixtureChecksums() };
  const first = await ingest({ outDir: join(tmp, 'out1'), ...options });
  assert.equal(first.source!.kind, 'download');
  assert.equal(first.source!.dir, join(tmp, 'cache', 'fashion-mnist'));
  assert.deepEqual(await listFiles(join(tmp, 'cache', 'fashion-mnist')), IDX_ROLES.map((r) => `${IDX_FILES[r]}.gz`).sort());
  for (const role of IDX_ROLES) {
    assert.deepEqual(await readFile(first.source!.files[role]), await readFile(join(FIXTURE_DIR, `${IDX_FILES[role]}.gz`)));
  }
  assert.equal(mirror.requests.length, 4);
  const second = await ingest({ outDir: join(tmp, 'out2'), ...options });
  assert.equal(second.source!.kind, 'cache');
  assert.equal(mirror.requests.length, 4);
  assert.deepEqual(await readFile(join(tmp, 'out1', 'manifest.json')), await readFile(join(tmp, 'out2', 'manifest.json')));
});

test('a file with the wrong checksum is a DOWNLOAD_CHECKSUM error and leaves nothing in the cache', async (t) => {
  const mirror = await startMirror(t);
  const tmp = await tempDir(t);
  const checksums = await fixtureChecksums();
  const url = `${mirror.base}/damaged/train-images-idx3-ubyte.gz`;
  const fixture = await loadFixture();
  const damaged = Buffer.from(fixture.trainImages.gz);
  damaged[damaged.length >> 1]! ^= 0xff;
  const got = createHash('sha256').update(damaged).digest('hex');
  await assert.rejects(
    ingest({ outDir: join(tmp, 'out'), ...isolated(join(tmp, 'cache')), offline: false, mirror: `${mirror.base}/damaged`, checksums }),
    {
      name: 'DownloadError',
      code: 'DOWNLOAD_CHECKSUM',
      message:
        `download: ${url} has sha256 ${got}, expected ${checksums.trainImages.sha256}; the mirror served a different or damaged file ` +
        'and nothing was cached — retry, or pass --mirror <url> for another mirror, or --data <dir> with the four files',
    },
  );
  assert.deepEqual(await listFiles(tmp), []);
});

test('an md5-only or content-only checksum is enforced too', async (t) => {
  const mirror = await startMirror(t);
  const tmp = await tempDir(t);
  const table = await fixtureChecksums();
  const md5Only = Object.fromEntries(IDX_ROLES.map((r) => [r, { md5: table[r].md5 }])) as ChecksumTable;
  md5Only.testLabels = { md5: '0'.repeat(32) };
  await assert.rejects(
    downloadDataset({ mirrors: [`${mirror.base}/good`], checksums: md5Only, cacheDir: join(tmp, 'c1') }),
    { code: 'DOWNLOAD_CHECKSUM', message: new RegExp(`^download: ${mirror.base}/good/t10k-labels-idx1-ubyte.gz has md5 ${table.testLabels.md5}, expected 0{32};`) },
  );
  const content = { ...table, trainLabels: { md5: table.trainLabels.md5, contentSha256: 'f'.repeat(64) } };
  await assert.rejects(downloadDataset({ mirrors: [`${mirror.base}/good`], checksums: content, cacheDir: join(tmp, 'c2') }), {
    code: 'DOWNLOAD_CHECKSUM',
    message: new RegExp(`has decompressed sha256 ${table.trainLabels.contentSha256}, expected f{64};`),
  });
  assert.deepEqual(await listFiles(tmp), []);
});

test('a body cut off before its Content-Length is DOWNLOAD_TRUNCATED and leaves nothing in the cache', async (t) => {
  const mirror = await startMirror(t);
  const tmp = await tempDir(t);
  const size = (await loadFixture()).trainImages.gz.length;
  await assert.rejects(
    ingest({ outDir: join(tmp, 'out'), ...isolated(join(tmp, 'cache')), offline: false, mirror: `${mirror.base}/truncated/`, checksums: await fixtureChecksums() }),
    {
      name: 'DownloadError',
      code: 'DOWNLOAD_TRUNCATED',
      message: new RegExp(
        `^download: ${mirror.base}/truncated/train-images-idx3-ubyte.gz ended after \\d+ of ${size} bytes \\([^)]+\\), ` +
          'expected the whole file; nothing was cached — run again to retry$',
      ),
    },
  );
  assert.deepEqual(await listFiles(tmp), []);
});

test('a 404 is DOWNLOAD_HTTP naming the URL and status', async (t) => {
  const mirror = await startMirror(t);
  const tmp = await tempDir(t);
  await assert.rejects(
    ingest({ outDir: join(tmp, 'out'), ...isolated(join(tmp, 'cache')), offline: false, mirror: `${mirror.base}/gone/`, checksums: await fixtureChecksums() }),
    {
      name: 'DownloadError',
      code: 'DOWNLOAD_HTTP',
      message:
        `download: ${mirror.base}/gone/train-images-idx3-ubyte.gz answered HTTP 404 Not Found, expected 200; the mirror may have moved — ` +
        'pass --mirror <url> for another mirror, or --data <dir> with the four files',
    },
  );
  assert.deepEqual(await listFiles(tmp), []);
});

test('a refused connection is DOWNLOAD_NETWORK', async (t) => {
  const mirror = await startMirror(t);
  const tmp = await tempDir(t);
  const closed = await new Promise<string>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(`http://127.0.0.1:${port}/`));
    });
  });
  await assert.rejects(downloadDataset({ mirrors: [closed], checksums: await fixtureChecksums(), cacheDir: join(tmp, 'cache') }), {
    code: 'DOWNLOAD_NETWORK',
    message: `download: cannot fetch ${closed}train-images-idx3-ubyte.gz (ECONNREFUSED), expected an HTTP response; check the network, or pass --mirror <url> for another mirror, or --data <dir> with the four files`,
  });
  assert.ok(mirror.base);
  assert.deepEqual(await listFiles(tmp), []);
});

test('each file falls back to the next mirror when one fails', async (t) => {
  const mirror = await startMirror(t);
  const tmp = await tempDir(t);
  const files = await downloadDataset({
    mirrors: [`${mirror.base}/gone`, `${mirror.base}/damaged`, `${mirror.base}/good`],
    checksums: await fixtureChecksums(),
    cacheDir: join(tmp, 'cache'),
  });
  assert.equal(files.trainImages, join(tmp, 'cache', 'train-images-idx3-ubyte.gz'));
  assert.equal(mirror.requests.length, 12);
  assert.deepEqual(await listFiles(join(tmp, 'cache')), IDX_ROLES.map((r) => `${IDX_FILES[r]}.gz`).sort());
});

test('a file without a published sha256 or md5 is never downloaded', async (t) => {
  const mirror = await startMirror(t);
  const tmp = await tempDir(t);
  const table = await fixtureChecksums();
  await assert.rejects(downloadDataset({ mirrors: [`${mirror.base}/good`], checksums: { ...table, testImages: { contentSha256: table.testImages.contentSha256 } }, cacheDir: tmp }), {
    code: 'DOWNLOAD_NO_CHECKSUM',
    message: 'download: no published sha256 or md5 for t10k-images-idx3-ubyte.gz, expected one in the checksum table; refusing an unverifiable download — pass --data <dir> with the files',
  });
  assert.equal(mirror.requests.length, 0);
});

test('a damaged file in the cache is CACHE_CHECKSUM, not silently used', async (t) => {
  const tmp = await tempDir(t);
  const cache = join(tmp, 'cache', 'fashion-mnist');
  const checksums = await fixtureChecksums();
  await downloadDataset({ mirrors: [`${(await startMirror(t)).base}/good`], checksums, cacheDir: cache });
  await writeFile(join(cache, 't10k-labels-idx1-ubyte.gz'), 'not what was downloaded');
  const got = createHash('sha256').update('not what was downloaded').digest('hex');
  await assert.rejects(ingest({ outDir: join(tmp, 'out'), ...isolated(join(tmp, 'cache')), checksums }), {
    name: 'CacheError',
    code: 'CACHE_CHECKSUM',
    message: `cache: ${join(cache, 't10k-labels-idx1-ubyte.gz')} has sha256 ${got}, expected ${checksums.testLabels.sha256} (as published); the cached file was damaged or replaced — delete it to download it again`,
  });
});

test('the published checksum table has a sha256 and an md5 for every file of every dataset', async () => {
  const { DATASETS } = await import('../src/datasets.ts');
  for (const spec of Object.values(DATASETS)) {
    for (const role of IDX_ROLES) {
      assert.match(spec.checksums[role].sha256 ?? '', /^[0-9a-f]{64}$/, `${spec.name} ${role} sha256`);
      assert.match(spec.checksums[role].md5 ?? '', /^[0-9a-f]{32}$/, `${spec.name} ${role} md5`);
    }
    assert.ok(spec.mirrors.length > 0 && spec.mirrors.every((m) => m.endsWith('/')));
  }
  assert.deepEqual(INGEST_ERROR_CODES.DownloadError.length + INGEST_ERROR_CODES.CacheError.length, 6);
});

test('the fashion-mnist content checksums match Debian\'s dataset-fashion-mnist files', { skip: !existsSync('/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz') && 'dataset-fashion-mnist is not installed' }, async () => {
  const { DATASETS } = await import('../src/datasets.ts');
  const { readSourceFile } = await import('../src/read-source.ts');
  for (const role of IDX_ROLES) {
    const source = await readSourceFile(`/usr/share/datasets/fashion-mnist/${IDX_FILES[role]}.gz`);
    assert.equal(createHash('sha256').update(source.bytes).digest('hex'), DATASETS['fashion-mnist'].checksums[role].contentSha256, role);
  }
});
