// Interfaces of devices on the bus. Drivers (packages/drivers) implement them;
// the kernel and services only see these shapes.

export type DriverKind = 'llm' | 'embedder' | 'storage' | 'transport' | 'tool';

export interface DriverInfo {
  name: string;
  version: string;
  kind: DriverKind;
  /** One line for people, e.g. "deterministic offline embedder (no model, word vectors)". */
  description: string;
  /**
   * What the output depends on beyond name and version, for drivers that take a configured model (e.g. an
   * embeddings server's model and dimensions): stored vectors are comparable only under equal name and model.
   */
  model?: string;
  /**
   * The interface version the driver speaks ("1.2": major.minor). An opener names the range it supports
   * (DeviceOpen); a different major, or an older minor than it needs, is ENODEV at open. Absent: "1.0".
   */
  interface?: string;
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
