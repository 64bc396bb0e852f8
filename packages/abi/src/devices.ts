// Interfaces of devices on the bus. Drivers (packages/drivers) implement them;
// the kernel and services only see these shapes.

export type DriverKind = 'llm' | 'embedder' | 'storage' | 'transport' | 'tool';

export interface DriverInfo {
  name: string;
  version: string;
  kind: DriverKind;
  /** One line for people, e.g. "deterministic offline embedder (no model, word vectors)". */
  description: string;
}

export interface Driver {
  readonly info: DriverInfo;
  /** Called when plugged into the bus. */
  open?(): Promise<void> | void;
  /** Called when unplugged or at shutdown. */
  close?(): Promise<void> | void;
}

/** Turns text into unit-length vectors of a fixed dimension. */
export interface EmbedderDriver extends Driver {
  readonly dim: number;
  embed(texts: string[]): Promise<Float32Array[]>;
}
