// Device kernel objects: a driver on the bus as agents see it, named through a
// handle with the USE right. Today: the model device (an llm driver behind the
// kernel's fair dispatcher). Streams of a device are objects too.

import type { LlmChunk } from '@aios/abi';
import type { KObject } from '../cap/captree.ts';
import type { ModelDevice } from '../llm/index.ts';

export class ModelDeviceObject implements KObject {
  readonly type = 'device' as const;
  readonly label: string;
  constructor(readonly device: ModelDevice) {
    this.label = `device:llm:${device.driver.info.name}`;
  }
}

/** An open streamed completion. Releasing its last handle cancels the request. */
export class LlmStreamObject implements KObject {
  readonly type = 'stream' as const;
  readonly label: string;
  private readonly iter: AsyncIterator<LlmChunk>;
  done = false;
  /** id: from the kernel's sequence (KernelIds.stream). */
  constructor(iterable: AsyncIterable<LlmChunk>, id: number) {
    this.label = `stream:${id}`;
    this.iter = iterable[Symbol.asyncIterator]();
  }

  async next(): Promise<LlmChunk | null> {
    if (this.done) return null;
    const r = await this.iter.next();
    if (r.done) {
      this.done = true;
      return null;
    }
    return r.value;
  }

  release(): void {
    if (this.done) return;
    this.done = true;
    void this.iter.return?.();
  }
}
