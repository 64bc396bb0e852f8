// Our own BERT WordPiece tokenizer: basic tokenization (control-char cleanup, CJK characters as words, optional
// lower-casing and accent stripping, punctuation split) then greedy longest-match-first word pieces with a
// continuation prefix ("##"), [UNK] for a word that cannot be covered, [CLS] ... [SEP] and truncation.
// Pure: given the same vocabulary and options, the same text always gives the same ids.
import { AiosError } from '@aios/abi';

export interface WordPieceOptions {
  /** Lower-case the text (and, unless stripAccents is false, strip accents). Default true. */
  lowercase?: boolean;
  /** Strip combining marks after NFD. Default: same as lowercase (BERT's rule). */
  stripAccents?: boolean;
  /** Put spaces around CJK ideographs so each is its own word. Default true. */
  handleCjk?: boolean;
  /** Prefix of a piece that continues a word. Default "##". */
  continuingPrefix?: string;
  /** Words longer than this (in code points) become [UNK]. Default 100. */
  maxInputCharsPerWord?: number;
  unkToken?: string;
  clsToken?: string;
  sepToken?: string;
  padToken?: string;
}

export interface Encoding {
  /** [CLS] pieces... [SEP], at most maxLength ids. */
  ids: number[];
  /** 1 for every id (padding is added by the batcher, not here). */
  attentionMask: number[];
  /** All 0: one segment. */
  typeIds: number[];
}

/** BERT's punctuation: ASCII symbol ranges plus every Unicode punctuation character. */
function isPunctuation(cp: number): boolean {
  if ((cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126)) return true;
  return /\p{P}/u.test(String.fromCodePoint(cp));
}

/** The CJK Unified Ideographs blocks BERT treats as one word per character (not Hangul, Hiragana, Katakana). */
export function isCjk(cp: number): boolean {
  return (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0x3400 && cp <= 0x4dbf) || (cp >= 0x20000 && cp <= 0x2a6df) ||
    (cp >= 0x2a700 && cp <= 0x2b73f) || (cp >= 0x2b740 && cp <= 0x2b81f) || (cp >= 0x2b820 && cp <= 0x2ceaf) ||
    (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0x2f800 && cp <= 0x2fa1f);
}

function isWhitespace(ch: string): boolean {
  return ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r' || /\p{Zs}/u.test(ch);
}

function isControl(ch: string): boolean {
  if (ch === '\t' || ch === '\n' || ch === '\r') return false;
  return /\p{Cc}|\p{Cf}/u.test(ch);
}

export class WordPieceTokenizer {
  readonly vocab: ReadonlyMap<string, number>;
  readonly unkId: number;
  readonly clsId: number;
  readonly sepId: number;
  readonly padId: number;
  private readonly lowercase: boolean;
  private readonly stripAccents: boolean;
  private readonly handleCjk: boolean;
  private readonly prefix: string;
  private readonly maxChars: number;
  private readonly unk: string;

  constructor(vocab: ReadonlyMap<string, number>, opts: WordPieceOptions = {}) {
    this.vocab = vocab;
    this.lowercase = opts.lowercase ?? true;
    this.stripAccents = opts.stripAccents ?? this.lowercase;
    this.handleCjk = opts.handleCjk ?? true;
    this.prefix = opts.continuingPrefix ?? '##';
    this.maxChars = opts.maxInputCharsPerWord ?? 100;
    const need = (tok: string, what: string): number => {
      const id = vocab.get(tok);
      if (id === undefined) throw new AiosError('EINVAL', `vocabulary has no ${what} token ${tok}`, { token: tok });
      return id;
    };
    this.unk = opts.unkToken ?? '[UNK]';
    this.unkId = need(this.unk, 'unknown');
    this.clsId = need(opts.clsToken ?? '[CLS]', 'class');
    this.sepId = need(opts.sepToken ?? '[SEP]', 'separator');
    this.padId = vocab.get(opts.padToken ?? '[PAD]') ?? 0;
  }

  /** Basic tokenization: the words and punctuation marks of `text`, before word pieces. */
  basicTokens(text: string): string[] {
    let clean = '';
    for (const ch of text) {
      const cp = ch.codePointAt(0)!;
      if (cp === 0 || cp === 0xfffd || isControl(ch)) continue;
      if (isWhitespace(ch)) clean += ' ';
      else if (this.handleCjk && isCjk(cp)) clean += ` ${ch} `;
      else clean += ch;
    }
    const out: string[] = [];
    for (let word of clean.split(' ')) {
      if (word === '') continue;
      if (this.lowercase) word = word.toLowerCase();
      if (this.stripAccents) word = word.normalize('NFD').replace(/\p{Mn}/gu, '');
      let cur = '';
      for (const ch of word) {
        if (isPunctuation(ch.codePointAt(0)!)) {
          if (cur !== '') out.push(cur);
          out.push(ch);
          cur = '';
        } else cur += ch;
      }
      if (cur !== '') out.push(cur);
    }
    return out;
  }

  /** Word pieces of one basic token: greedy longest match first; [UNK] if any position has no match. */
  wordPieces(word: string): string[] {
    const chars = Array.from(word);
    if (chars.length > this.maxChars) return [this.unkToken()];
    const pieces: string[] = [];
    let start = 0;
    while (start < chars.length) {
      let end = chars.length;
      let found: string | null = null;
      while (start < end) {
        const sub = (start > 0 ? this.prefix : '') + chars.slice(start, end).join('');
        if (this.vocab.has(sub)) { found = sub; break; }
        end--;
      }
      if (found === null) return [this.unkToken()];
      pieces.push(found);
      start = end;
    }
    return pieces;
  }

  private unkToken(): string {
    return this.unk;
  }

  /** Pieces of the whole text (no special tokens). */
  tokenize(text: string): string[] {
    return this.basicTokens(text).flatMap((w) => this.wordPieces(w));
  }

  /** [CLS] + pieces + [SEP], the pieces truncated so the whole fits in maxLength (>= 2). */
  encode(text: string, maxLength: number): Encoding {
    if (typeof text !== 'string') throw new AiosError('EINVAL', 'text must be a string', { type: typeof text });
    if (!Number.isInteger(maxLength) || maxLength < 2) throw new AiosError('EINVAL', 'maxLength must be an integer >= 2', { maxLength });
    const ids = [this.clsId];
    for (const w of this.basicTokens(text)) {
      for (const p of this.wordPieces(w)) {
        if (ids.length >= maxLength - 1) break;
        ids.push(this.vocab.get(p) ?? this.unkId);
      }
      if (ids.length >= maxLength - 1) break;
    }
    ids.push(this.sepId);
    return { ids, attentionMask: ids.map(() => 1), typeIds: ids.map(() => 0) };
  }
}

/** Vocabulary of a vocab.txt: one token per line, id = line number (0-based); blank trailing line ignored. */
export function parseVocabTxt(text: string): Map<string, number> {
  const lines = text.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const m = new Map<string, number>();
  lines.forEach((l, i) => { if (!m.has(l)) m.set(l, i); });
  return m;
}
