// UTF-8 helpers made on first use: an agent's module body runs at every spawn, and
// constructing TextEncoder/TextDecoder there would cost every spawn, used or not.
let encoder: InstanceType<typeof TextEncoder> | undefined;
let decoder: InstanceType<typeof TextDecoder> | undefined;

export function utf8Encode(text: string): Uint8Array {
  encoder ??= new TextEncoder();
  return encoder.encode(text);
}

export function utf8Decode(bytes: Uint8Array): string {
  decoder ??= new TextDecoder();
  return decoder.decode(bytes);
}
