/**
 * The recorded TensorBoard 2.20 responses (golden-http), for route tests: the package's committed copy under
 * test/fixtures (see its README), so no test depends on a directory outside the clone.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Absolute path of the golden-http directory (with a trailing slash). */
export const GOLDEN_HTTP = fileURLToPath(new URL('./fixtures/golden-http/', import.meta.url));

/** One recorded exchange (see golden-http/README.md). */
export interface GoldenRecord {
  sampling: 'all' | 'default';
  method: 'GET' | 'POST';
  path: string;
  query: Record<string, string | string[]>;
  request_body?: unknown;
  request_content_type?: string;
  status: number;
  content_type: string;
  body_json?: unknown;
  body_file?: string;
  error_case?: boolean;
}

/** The records of one sampling mode whose path contains `fragment`. */
export function goldenRecords(fragment: string, sampling: 'all' | 'default' = 'all'): GoldenRecord[] {
  const all = JSON.parse(readFileSync(`${GOLDEN_HTTP}responses.json`, 'utf8')) as GoldenRecord[];
  return all.filter((r) => r.sampling === sampling && r.path.includes(fragment));
}

/** A recorded body file's bytes. */
export function goldenBody(record: GoldenRecord): Buffer {
  if (!record.body_file) throw new Error(`record ${record.path} has no body file`);
  return readFileSync(`${GOLDEN_HTTP}${record.body_file}`);
}

/** The plugin-relative route of a recorded path (`/data/plugin/graphs/info` → `/info`). */
export function pluginRoute(path: string): string {
  return path.replace(/^(\/experiment\/[^/]+)?\/data\/plugin\/[^/]+/, '');
}
