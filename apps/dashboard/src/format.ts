// Small formatters shared by the views.

export function bytes(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return '-';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

export function pct(x: number | undefined): string {
  return x === undefined || !Number.isFinite(x) ? '-' : `${(100 * x).toFixed(1)}%`;
}

export function time(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '-';
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 23);
}

/** One line of JSON for a table cell, cut at max characters. */
export function brief(v: unknown, max = 160): string {
  const s = v === undefined ? '' : JSON.stringify(v) ?? '';
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}
