// Writes a tiny ONNX model and model folder from code (for tests and the bench; nothing downloaded): the graph
// is one Gather of a fixed embedding table by input_ids, so the output [b, L, dim] is a deterministic function
// of the token ids. The protobuf bytes are written by hand (ModelProto/GraphProto/NodeProto/TensorProto fields).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Protobuf wire helpers: varint, tag, length-delimited. */
function varint(n: number): number[] {
  const out: number[] = [];
  let v = BigInt(n);
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) byte |= 0x80;
    out.push(byte);
  } while (v > 0n);
  return out;
}
const tag = (field: number, wire: number): number[] => varint((field << 3) | wire);
const vint = (field: number, n: number): number[] => [...tag(field, 0), ...varint(n)];
const bytes = (field: number, b: ArrayLike<number>): number[] => [...tag(field, 2), ...varint(b.length), ...Array.from(b)];
const str = (field: number, s: string): number[] => bytes(field, new TextEncoder().encode(s));

const INT64 = 7;
const FLOAT = 1;

/** ValueInfoProto of a tensor with symbolic or fixed dims. */
function valueInfo(name: string, elemType: number, dims: (string | number)[]): number[] {
  const shape = dims.flatMap((d) => bytes(1, typeof d === 'number' ? vint(1, d) : str(2, d)));
  const tensorType = [...vint(1, elemType), ...bytes(2, shape)];
  return [...str(1, name), ...bytes(2, bytes(1, tensorType))];
}

export interface TinyModelOptions {
  /** Vocabulary size (rows of the table). */
  vocabSize: number;
  dim: number;
  /** Also declare a token_type_ids input (unused by the graph), like BERT exports. */
  withTokenTypes?: boolean;
  /** Declare an attention_mask input (unused by the graph). Default true. */
  withMask?: boolean;
}

/** Row r of the table: a deterministic function of (r, k), so tests can recompute expected outputs. */
export function tinyTableValue(r: number, k: number): number {
  return Math.sin(r * 1.7 + k * 0.31 + 0.5);
}

/** The bytes of the ONNX model: last_hidden_state = Gather(table, input_ids). */
export function tinyOnnxModel(o: TinyModelOptions): Uint8Array {
  const table = new Float32Array(o.vocabSize * o.dim);
  for (let r = 0; r < o.vocabSize; r++) for (let k = 0; k < o.dim; k++) table[r * o.dim + k] = tinyTableValue(r, k);
  const init = [...vint(1, o.vocabSize), ...vint(1, o.dim), ...vint(2, FLOAT), ...str(8, 'table'), ...bytes(9, new Uint8Array(table.buffer))];
  const node = [...str(1, 'table'), ...str(1, 'input_ids'), ...str(2, 'last_hidden_state'), ...str(3, 'gather'), ...str(4, 'Gather')];
  const inputs = [valueInfo('input_ids', INT64, ['batch', 'seq'])];
  if (o.withMask ?? true) inputs.push(valueInfo('attention_mask', INT64, ['batch', 'seq']));
  if (o.withTokenTypes) inputs.push(valueInfo('token_type_ids', INT64, ['batch', 'seq']));
  const graph = [
    ...bytes(1, node), ...str(2, 'tiny'), ...bytes(5, init),
    ...inputs.flatMap((i) => bytes(11, i)),
    ...bytes(12, valueInfo('last_hidden_state', FLOAT, ['batch', 'seq', o.dim])),
  ];
  const opset = [...str(1, ''), ...vint(2, 13)];
  return new Uint8Array([...vint(1, 7), ...str(2, 'aios-tiny'), ...bytes(7, graph), ...bytes(8, opset)]);
}

/** Writes a model folder: onnx/model.onnx (or model.onnx), vocab.txt or tokenizer.json, config.json. */
export function writeTinyModelFolder(dir: string, vocab: string[], o: { dim: number; withTokenTypes?: boolean; withMask?: boolean; tokenizerJson?: boolean; lowercase?: boolean; maxLength?: number; nested?: boolean }): void {
  mkdirSync(join(dir, 'onnx'), { recursive: true });
  const model = tinyOnnxModel({ vocabSize: vocab.length, dim: o.dim, withTokenTypes: o.withTokenTypes ?? false, withMask: o.withMask ?? true });
  writeFileSync(o.nested === false ? join(dir, 'model.onnx') : join(dir, 'onnx', 'model.onnx'), model);
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ hidden_size: o.dim, max_position_embeddings: o.maxLength ?? 512, _name_or_path: 'aios/tiny-gather' }));
  if (o.tokenizerJson) {
    writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify({
      normalizer: { type: 'BertNormalizer', lowercase: o.lowercase ?? true, strip_accents: null, handle_chinese_chars: true, clean_text: true },
      truncation: o.maxLength ? { max_length: o.maxLength } : null,
      model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab: Object.fromEntries(vocab.map((w, i) => [w, i])) },
    }));
  } else {
    writeFileSync(join(dir, 'vocab.txt'), vocab.join('\n') + '\n');
    writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify({ do_lower_case: o.lowercase ?? true, model_max_length: o.maxLength ?? 512 }));
  }
}
