// Event-file fixtures for the loader tests, built with @tbpipe/eventlog's encoder and framing.
import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeEvent, frameRecord, type Event, type SummaryValue } from '@tbpipe/eventlog';

export function tempLogdir(): string {
  return mkdtempSync(join(tmpdir(), 'board-load-'));
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
