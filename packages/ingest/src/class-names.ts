import { readFile } from 'node:fs/promises';
import { UsageError } from '@tbpipe/core';
import { MAX_CLASSES } from './contract.ts';

const bad = (flag: string, shown: string, why: string) => new UsageError(`--${flag} is ${shown}, expected ${why}`);

/** Check a list of class names: 1…65 536 non-empty, distinct strings. */
function checked(names: unknown, flag: string, shown: string): string[] {
  if (!Array.isArray(names) || !names.every((n) => typeof n === 'string')) throw bad(flag, shown, 'class names, comma-separated or a JSON array of strings');
  const list = (names as string[]).map((n) => n.trim());
  if (list.length === 0 || list.length > MAX_CLASSES) throw bad(flag, shown, `1 to ${MAX_CLASSES} class names`);
  const empty = list.findIndex((n) => n === '');
  if (empty >= 0) throw bad(flag, shown, `no empty class name (name ${empty} is empty)`);
  const seen = new Set<string>();
  for (const n of list) {
    if (seen.has(n)) throw bad(flag, shown, `distinct class names ("${n}" comes twice)`);
    seen.add(n);
  }
  return list;
}

/** `--class-names`: `cat,dog,bird` or a JSON array `["cat","dog"]`. */
export function parseClassNames(text: string): string[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      throw bad('class-names', JSON.stringify(text), 'a JSON array of strings, or names separated by commas');
    }
    return checked(parsed, 'class-names', JSON.stringify(text));
  }
  return checked(trimmed.split(','), 'class-names', JSON.stringify(text));
}

/** `--class-names-file`: one name per line (blank lines ignored), or a JSON array. */
export async function readClassNamesFile(path: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw bad('class-names-file', `${path} (${(err as NodeJS.ErrnoException).code ?? 'unreadable'})`, 'a readable file of class names, one per line');
  }
  if (text.trim().startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw bad('class-names-file', path, 'a JSON array of strings, or one name per line');
    }
    return checked(parsed, 'class-names-file', path);
  }
  return checked(text.split(/\r?\n/).filter((line) => line.trim() !== ''), 'class-names-file', path);
}

/** The class names from `--class-names` or `--class-names-file` (not both), or undefined. */
export async function classNamesOption(o: { classNames?: string; classNamesFile?: string }): Promise<string[] | undefined> {
  if (o.classNames !== undefined && o.classNamesFile !== undefined) {
    throw new UsageError('--class-names and --class-names-file are both given, expected one of them');
  }
  if (o.classNames !== undefined) return parseClassNames(o.classNames);
  if (o.classNamesFile !== undefined) return readClassNamesFile(o.classNamesFile);
  return undefined;
}

/** `--image-size HxW` as numbers. */
export function parseImageSize(text: string | undefined): { height: number; width: number } | undefined {
  if (text === undefined) return undefined;
  const m = /^([1-9][0-9]*)x([1-9][0-9]*)$/.exec(text);
  if (!m) throw new UsageError(`--image-size is ${JSON.stringify(text)}, expected HxW such as 32x32`);
  const size = { height: Number(m[1]), width: Number(m[2]) };
  if (size.height > 4096 || size.width > 4096) throw new UsageError(`--image-size is ${JSON.stringify(text)}, expected at most 4096 pixels per side`);
  return size;
}

/** `--channels`: 1 or 3. */
export function checkChannels(channels: number | undefined): 1 | 3 | undefined {
  if (channels === undefined || channels === 1 || channels === 3) return channels;
  throw new UsageError(`--channels is ${channels}, expected 1 (grey) or 3 (RGB)`);
}
