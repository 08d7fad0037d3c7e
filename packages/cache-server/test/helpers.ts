import { request } from 'node:http';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A response read whole: these tests only move small bodies. */
export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** One HTTP request without fetch's conveniences, so headers (Content-Length, chunking) are exactly what we say. */
export function send(
  url: string,
  options: { method?: string; token?: string; body?: Buffer; chunked?: boolean; agent?: import('node:http').Agent } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { 'content-type': 'application/octet-stream' };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.body && !options.chunked) headers['content-length'] = options.body.length;
    const req = request(url, { method: options.method ?? 'GET', headers, agent: options.agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    // write() before end() makes node send the body chunked, with no Content-Length.
    if (options.body && options.chunked) req.write(options.body);
    if (options.body && !options.chunked) req.end(options.body);
    else req.end();
  });
}

export function tempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `tbpipe-cache-${prefix}-`));
}
