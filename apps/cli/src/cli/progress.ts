// Progress of long work in a terminal (re-embedding, imports, plan runs): one line on stderr, rewritten in place
// ("reembed cli: 256/1000 25% 120/s ETA 6s"), cleared when the work ends. Only when stderr is a terminal and
// --json is not given: piped or machine-read output never gets progress text.

export interface ProgressSnapshot {
  done: number;
  /** 0 or less: unknown. */
  total: number;
  elapsedMs: number;
}

/** A duration as a short human figure: 9s, 1m05s, 2h03m. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** One progress line: label, done/total and percent, rate per second and ETA (when they can be told). */
export function formatProgress(label: string, p: ProgressSnapshot): string {
  const parts = [`${label}:`];
  const known = p.total > 0;
  parts.push(known ? `${p.done}/${p.total} ${Math.min(100, Math.floor((100 * p.done) / p.total))}%` : `${p.done}`);
  const rate = p.elapsedMs > 0 ? (p.done * 1000) / p.elapsedMs : 0;
  if (rate > 0) {
    parts.push(`${rate >= 100 ? Math.round(rate) : rate.toFixed(1)}/s`);
    if (known && p.done < p.total) parts.push(`ETA ${formatDuration(((p.total - p.done) / rate) * 1000)}`);
  }
  return parts.join(' ');
}

export interface ProgressStream {
  isTTY?: boolean;
  write(s: string): unknown;
}

export interface Progress {
  /** False when nothing is shown (not a terminal, or --json): callers may skip asking for progress. */
  readonly enabled: boolean;
  update(done: number, total: number): void;
  /** Removes the line (before printing something else; the next update draws it again). */
  clear(): void;
  /** Removes the line for good. */
  end(): void;
}

export interface ProgressOptions {
  json?: boolean;
  /** Default process.stderr. */
  stream?: ProgressStream;
  /** Default Date.now. */
  now?: () => number;
  /** Redraws at most this often (default 100 ms); the last step (done = total) is always drawn. */
  minIntervalMs?: number;
}

const ERASE = '\r\x1b[2K';

/** A progress line for `label`, or a silent one when stderr is not a terminal or --json was given. */
export function progressReporter(label: string, opts: ProgressOptions = {}): Progress {
  const stream = opts.stream ?? process.stderr;
  const enabled = opts.json !== true && stream.isTTY === true;
  const now = opts.now ?? Date.now;
  const every = opts.minIntervalMs ?? 100;
  const started = now();
  let shown = false;
  let drawnAt = -Infinity;
  return {
    enabled,
    update(done, total) {
      if (!enabled) return;
      const t = now();
      if (t - drawnAt < every && !(total > 0 && done >= total)) return;
      drawnAt = t;
      stream.write(ERASE + formatProgress(label, { done, total, elapsedMs: t - started }));
      shown = true;
    },
    clear() {
      if (shown) stream.write(ERASE);
      shown = false;
      drawnAt = -Infinity;
    },
    end() {
      this.clear();
    },
  };
}
