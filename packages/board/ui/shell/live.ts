/**
 * The server's live channel: `/api/events` (server-sent events, one JSON message `{run, plugin, tag, lastStep}` — or
 * an array of them — per series that gained points; `event: runs` when runs appear or disappear). Reports batches of changes (debounced so a burst becomes one
 * re-render), and the connection state for the "connection lost" banner; EventSource reconnects by itself, and
 * `reconnect()` forces it.
 */
export interface SeriesChange {
  run: string;
  plugin: string;
  tag: string;
  lastStep: number;
}

export interface LiveHandlers {
  onChanges(changes: SeriesChange[]): void;
  /** The server's `event: runs` (`{added, removed}`): runs appeared or disappeared. */
  onRuns(): void;
  /** `connected` false: the stream broke (server gone); true again after it reopens (`recovered` = it was broken). */
  onConnection(connected: boolean, recovered: boolean): void;
}

/** Opens the event stream; returns controls. */
export function connectLive(url: string, handlers: LiveHandlers, debounceMs = 200): { reconnect(): void; close(): void } {
  let source: EventSource | null = null;
  let broken = false;
  let pending: SeriesChange[] = [];
  let timer: ReturnType<typeof setTimeout> | null = null;
  const flush = () => {
    timer = null;
    const batch = pending;
    pending = [];
    if (batch.length) handlers.onChanges(batch);
  };
  const open = () => {
    source?.close();
    source = new EventSource(url);
    source.onopen = () => {
      handlers.onConnection(true, broken);
      broken = false;
    };
    source.onmessage = (e) => {
      let msg: unknown;
      try {
        msg = JSON.parse(e.data as string);
      } catch {
        return;
      }
      for (const m of Array.isArray(msg) ? msg : [msg]) {
        if (m && typeof m === 'object' && typeof (m as SeriesChange).run === 'string') pending.push(m as SeriesChange);
      }
      if (!timer) timer = setTimeout(flush, debounceMs);
    };
    source.addEventListener('runs', () => handlers.onRuns());
    source.onerror = () => {
      if (!broken) {
        broken = true;
        handlers.onConnection(false, false);
      }
      // A closed (not reconnecting) source, e.g. after an HTTP error reply: retry ourselves.
      if (source && source.readyState === EventSource.CLOSED) setTimeout(open, 2000);
    };
  };
  open();
  return {
    reconnect: open,
    close: () => {
      source?.close();
      if (timer) clearTimeout(timer);
    },
  };
}
