// The WordPiece tokenizer against hand-worked cases (BERT's basic tokenization + greedy longest-match pieces).
import { describe, expect, it } from 'vitest';
import { WordPieceTokenizer, parseVocabTxt } from './wordpiece.ts';

const VOCAB = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', 'hello', 'world', '##s', 'un', '##aff', '##able', 'a', '##ff',
  '.', ',', '!', "'", 'don', 't', 'cafe', 'the', 'play', '##ing', 'jazz', '中', '文', 'Hello', '##b', 'b', '$', '5'];
const vocab = new Map(VOCAB.map((w, i) => [w, i]));
const tok = new WordPieceTokenizer(vocab);
const cased = new WordPieceTokenizer(vocab, { lowercase: false });
const id = (w: string) => vocab.get(w)!;

describe('embedder-onnx - WordPiece tokenizer', () => {
  it('embedder-onnx - lower-cases and splits punctuation from words', () => {
    expect(tok.tokenize('Hello, World!')).toEqual(['hello', ',', 'world', '!']);
  });
  it('embedder-onnx - an apostrophe is punctuation of its own', () => {
    expect(tok.tokenize("don't")).toEqual(['don', "'", 't']);
  });
  it('embedder-onnx - accents are stripped when lower-casing (NFD, combining marks removed)', () => {
    expect(tok.tokenize('Café')).toEqual(['cafe']);
    expect(tok.tokenize('CAFÉ')).toEqual(['cafe']);
  });
  it('embedder-onnx - a cased vocabulary keeps case and accents', () => {
    expect(cased.tokenize('Hello hello')).toEqual(['Hello', 'hello']);
    expect(cased.tokenize('café')).toEqual(['[UNK]']);
  });
  it('embedder-onnx - greedy longest-match-first with ## continuation pieces', () => {
    expect(tok.tokenize('unaffable')).toEqual(['un', '##aff', '##able']);
    expect(tok.tokenize('playing worlds')).toEqual(['play', '##ing', 'world', '##s']);
    // "aff" is not a word-initial piece: longest prefix "a", then "##ff".
    expect(tok.tokenize('aff')).toEqual(['a', '##ff']);
  });
  it('embedder-onnx - a word that cannot be fully covered is one [UNK], not partial pieces', () => {
    expect(tok.tokenize('helloz')).toEqual(['[UNK]']);
    expect(tok.tokenize('zzz hello')).toEqual(['[UNK]', 'hello']);
  });
  it('embedder-onnx - CJK ideographs are words of one character each', () => {
    expect(tok.tokenize('中文hello')).toEqual(['中', '文', 'hello']);
  });
  it('embedder-onnx - whitespace of any kind separates, control characters vanish', () => {
    expect(tok.tokenize(' hello\t\nworld\u00a0the \u0000\u200b ')).toEqual(['hello', 'world', 'the']);
  });
  it('embedder-onnx - symbols in the ASCII punctuation ranges split ($5)', () => {
    expect(tok.tokenize('$5')).toEqual(['$', '5']);
  });
  it('embedder-onnx - over-long words are [UNK] (maxInputCharsPerWord)', () => {
    const short = new WordPieceTokenizer(vocab, { maxInputCharsPerWord: 4 });
    expect(short.tokenize('hello the')).toEqual(['[UNK]', 'the']);
  });
  it('embedder-onnx - encode adds [CLS]/[SEP], a mask of ones and zero type ids', () => {
    const e = tok.encode('Hello world.', 16);
    expect(e.ids).toEqual([id('[CLS]'), id('hello'), id('world'), id('.'), id('[SEP]')]);
    expect(e.attentionMask).toEqual([1, 1, 1, 1, 1]);
    expect(e.typeIds).toEqual([0, 0, 0, 0, 0]);
  });
  it('embedder-onnx - the empty string (and punctuation-free blanks) encode to [CLS] [SEP]', () => {
    expect(tok.encode('', 8).ids).toEqual([id('[CLS]'), id('[SEP]')]);
    expect(tok.encode('   \n', 8).ids).toEqual([id('[CLS]'), id('[SEP]')]);
  });
  it('embedder-onnx - truncation keeps [SEP] last and cuts inside a word if it must', () => {
    expect(tok.encode('hello world hello world', 4).ids).toEqual([id('[CLS]'), id('hello'), id('world'), id('[SEP]')]);
    expect(tok.encode('unaffable', 4).ids).toEqual([id('[CLS]'), id('un'), id('##aff'), id('[SEP]')]);
    expect(() => tok.encode('x', 1)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
  });
  it('embedder-onnx - a vocabulary without [UNK]/[CLS]/[SEP] is EINVAL; vocab.txt ids are line numbers', () => {
    expect(() => new WordPieceTokenizer(new Map([['a', 0]]))).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(parseVocabTxt('[PAD]\r\n[UNK]\nhello\n')).toEqual(new Map([['[PAD]', 0], ['[UNK]', 1], ['hello', 2]]));
  });
});
