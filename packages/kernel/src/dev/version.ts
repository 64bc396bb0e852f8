// Interface versions of drivers ("major.minor") and the ranges openers name:
// "1" (any 1.x), "1.2" and "^1.2" (1.2 or a later 1.x), "=1.2", and comparator lists such
// as ">=1.0 <3". A driver outside the opener's range is refused at open (ENODEV).

import { AiosError } from '@aios/abi';

type V = [number, number];

export function parseVersion(text: string): V | null {
  const m = /^(\d{1,6})(?:\.(\d{1,6}))?(?:\.\d{1,6})?$/.exec(text.trim());
  return m ? [Number(m[1]), Number(m[2] ?? 0)] : null;
}

const cmp = (a: V, b: V): number => (a[0] - b[0]) || (a[1] - b[1]);

export type Range = (v: V) => boolean;

/** Parses a range; EINVAL with the accepted forms when it is not one. */
export function parseRange(text: string): Range {
  const bad = (): never => { throw new AiosError('EINVAL', `bad interface range ${JSON.stringify(text.slice(0, 40))}: use '1', '1.2', '^1.2', '=1.2' or '>=1.0 <3'`, { arg: 'range', value: text.slice(0, 40) }); };
  const t = text.trim();
  if (t.length === 0 || t.length > 64) bad();
  const caret = /^\^?(\d{1,6})(\.(\d{1,6}))?$/.exec(t);
  if (caret) {
    const major = Number(caret[1]);
    const minor = caret[3] === undefined ? 0 : Number(caret[3]);
    return (v) => v[0] === major && v[1] >= minor;
  }
  const tests: Range[] = t.split(/\s+/).map((part) => {
    const m = /^(>=|<=|>|<|=)(.+)$/.exec(part);
    const v = m ? parseVersion(m[2]!) : null;
    if (!m || !v) return bad();
    const op = m[1];
    return (x: V) => {
      const c = cmp(x, v);
      return op === '>=' ? c >= 0 : op === '<=' ? c <= 0 : op === '>' ? c > 0 : op === '<' ? c < 0 : c === 0;
    };
  });
  return (v) => tests.every((f) => f(v));
}

/** Whether `version` lies in `range` (a version that does not parse never does). */
export function satisfies(version: string, range: string): boolean {
  const v = parseVersion(version);
  return v !== null && parseRange(range)(v);
}
