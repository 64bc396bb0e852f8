// The node's physical memory arena: one buffer of 4 KiB frames, handed out by
// FrameAlloc. Frames are zeroed when freed, so no data leaks between agents.

import { limits } from '@aios/abi';

const PAGE = limits.PAGE_SIZE;

export class FrameArena {
  readonly bytes: Uint8Array;
  private readonly used: Uint8Array;
  private hint = 0;
  private free_: number;
  /** Label number of the next frame object (per arena, so per kernel). */
  nextFrameId = 1;

  constructor(readonly frames: number) {
    this.bytes = new Uint8Array(frames * PAGE);
    this.used = new Uint8Array(frames);
    this.free_ = frames;
  }

  get freeFrames(): number {
    return this.free_;
  }

  /** First fit from a rotating hint. Returns the first frame number, or -1 when no run of `count` is free. */
  alloc(count: number): number {
    if (count > this.free_) return -1;
    const n = this.frames;
    for (let pass = 0; pass < 2; pass++) {
      let start = pass === 0 ? this.hint : 0;
      const end = pass === 0 ? n : Math.min(n, this.hint + count);
      let run = 0;
      for (let i = start; i < end; i++) {
        if (this.used[i]) {
          run = 0;
          start = i + 1;
          continue;
        }
        run++;
        if (run === count) {
          this.used.fill(1, start, start + count);
          this.free_ -= count;
          this.hint = start + count >= n ? 0 : start + count;
          return start;
        }
      }
    }
    return -1;
  }

  free(base: number, count: number): void {
    this.bytes.fill(0, base * PAGE, (base + count) * PAGE);
    this.used.fill(0, base, base + count);
    this.free_ += count;
  }
}
