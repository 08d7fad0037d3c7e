// Event-file fixtures for the loader tests, built with @tbpipe/eventlog's encoder and framing.
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { encodeEvent, frameRecord, type Event, type SummaryValue } from '@tbpipe/eventlog';
import { openLogdir } from '../src/load/index.ts';
import type { LoadOptions } from '../src/store/provider.ts';

/** The event-file name the loader tests write (any name containing `tfevents` makes a run). */
export const EF = 'events.out.tfevents.1700000000.host.1.0';

const tempDirs: string[] = [];
after(() => {
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
});

/** A new empty logdir, removed when the importing test file ends. */
export function tempLogdir(): string {
  const d = mkdtempSync(join(tmpdir(), 'board-load-'));
  tempDirs.push(d);
  return d;
}

/** Opens `dir` without the reload timer (tests call reload() themselves). */
export function openTestLogdir(dir: string, options: Partial<LoadOptions> = {}) {
  return openLogdir({ logdir: dir, reloadIntervalSeconds: 0, ...options });
}

/** One framed record of `event`. */
export function record(event: Event): Uint8Array {
  return frameRecord(encodeEvent(event));
}

/** Framed records, concatenated. */
export function records(events: Event[]): Buffer {
  return Buffer.concat(events.map(record));
}

/** A `simple_value` scalar event. */
export function scalar(tag: string, step: number, value: number, wallTime = 1700000000 + step): Event {
  return { wallTime, step, summary: { value: [{ tag, simpleValue: value }] } };
}

/** An event with one summary value. */
export function summary(value: SummaryValue, step: number, wallTime = 1700000000 + step): Event {
  return { wallTime, step, summary: { value: [value] } };
}

export const fileVersion = (wallTime = 1700000000): Event => ({ wallTime, step: 0, fileVersion: 'brain.Event:2' });

export function writeEvents(path: string, events: Event[]): void {
  writeFileSync(path, records(events));
}

export function appendEvents(path: string, events: Event[]): void {
  appendFileSync(path, records(events));
}
