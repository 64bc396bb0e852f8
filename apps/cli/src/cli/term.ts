// What the CLI prints to a terminal: text that came from agents (names, log lines, audit objects,
// memory items) is escaped so it cannot move the cursor, recolour, clear the screen, fake a new
// line or reorder text: control characters are shown as `\x1b`-style escapes.

/** C0 controls (with newline, tab, ESC), DEL, C1 controls, and the bidi embeddings/overrides/isolates. */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeChar(c: string): string {
  const n = c.charCodeAt(0);
  return NAMED[c] ?? (n < 0x100 ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u${n.toString(16).padStart(4, '0')}`);
}

/** Agent-controlled text as one inert line: every control character becomes a visible escape. */
export function escapeTerminal(s: string): string {
  return s.replace(UNSAFE, escapeChar);
}

/**
 * The last guard, on every line the CLI writes: keeps newline, tab and ESC (the CLI's own tables
 * and screen clearing use them; agent text was escaped before), and turns every other control
 * character into a `\uXXXX` escape, which is also valid inside JSON strings, so JSON output stays JSON.
 */
const GUARD = /[\u0000-\u0008\u000b-\u001a\u001c-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
export function terminalSafe(line: string): string {
  return line.replace(GUARD, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
