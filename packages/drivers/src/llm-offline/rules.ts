// The rules the offline stand-in answers by: arithmetic, summary by first sentence, echo.
// Pure functions of the last user message; no randomness, no model.

/** The answer to a prompt text. Same input, same output. */
export function answerByRule(prompt: string): string {
  const text = prompt.trim();
  const summary = /^(?:summari[sz]e|summary|tl;?dr)\b[:\s-]*/i.exec(text);
  if (summary !== null) return firstSentence(text.slice(summary[0].length));
  const expr = findExpression(text);
  if (expr !== null) {
    const value = evaluate(expr);
    if (value !== null) return Number.isFinite(value) ? formatNumber(value) : 'undefined (division by zero)';
  }
  return text;
}

/** The first sentence: up to and including the first . ! or ? followed by a space or the end. */
export function firstSentence(text: string): string {
  const t = text.trim();
  const m = /^[\s\S]*?[.!?](?=\s|$)/.exec(t);
  return m === null ? t : m[0];
}

function formatNumber(v: number): string {
  return String(Number(v.toPrecision(12)));
}

/** The longest run of numbers, operators and parentheses that holds at least one binary operator. */
function findExpression(text: string): string | null {
  const runs = text.match(/[\d.\s+\-*/()]+/g) ?? [];
  let best: string | null = null;
  for (const run of runs) {
    const r = run.trim();
    if (!/\d\s*[+\-*/]\s*[(\d.-]/.test(r)) continue;
    if (best === null || r.length > best.length) best = r;
  }
  return best;
}

/** Recursive-descent evaluation of + - * / and parentheses; null when the text does not parse. */
function evaluate(src: string): number | null {
  const toks = src.match(/\d+(?:\.\d+)?|\.\d+|[+\-*/()]/g) ?? [];
  if (toks.join('') !== src.replace(/\s+/g, '')) return null;
  let i = 0;
  const peek = (): string | undefined => toks[i];
  const expr = (): number | null => {
    let left = term();
    while (left !== null && (peek() === '+' || peek() === '-')) {
      const op = toks[i++];
      const right = term();
      if (right === null) return null;
      left = op === '+' ? left + right : left - right;
    }
    return left;
  };
  const term = (): number | null => {
    let left = factor();
    while (left !== null && (peek() === '*' || peek() === '/')) {
      const op = toks[i++];
      const right = factor();
      if (right === null) return null;
      left = op === '*' ? left * right : left / right;
    }
    return left;
  };
  const factor = (): number | null => {
    const t = toks[i++];
    if (t === undefined) return null;
    if (t === '-') {
      const v = factor();
      return v === null ? null : -v;
    }
    if (t === '(') {
      const v = expr();
      if (toks[i++] !== ')') return null;
      return v;
    }
    const n = Number(t);
    return Number.isNaN(n) ? null : n;
  };
  const v = expr();
  return v !== null && i === toks.length ? v : null;
}
