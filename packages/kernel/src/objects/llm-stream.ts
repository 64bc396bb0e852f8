// A model stream object (LlmStreamOpen): an open streamed completion. Releasing its last handle cancels it.

import type { LlmChunk } from '@aios/abi';
import type { KObject } from '../cap/captree.ts';

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
