// The node's physical memory arena: one buffer of 4 KiB frames, handed out by
// FrameAlloc. Frames are zeroed when freed, so no data leaks between agents.

import { limits } from '@aios/abi';
import type { Backing } from './backing.ts';

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

/** A run of frames: the object a frame handle names. Freed when its last handle and mapping are gone. */
export class FrameObject implements Backing {
  readonly type = 'frame' as const;
  readonly label: string;
  readonly size: number;
  private view: Uint8Array;
  private refs = 0;
  freed = false;

  constructor(
    private readonly arena: FrameArena,
    readonly base: number,
    readonly count: number,
    private readonly onFree: () => void,
  ) {
    this.label = `frame:${arena.nextFrameId++}`;
    this.size = count * PAGE;
    this.view = arena.bytes.subarray(base * PAGE, (base + count) * PAGE);
  }

  ref(): void {
    this.refs++;
  }

  unref(): void {
    if (--this.refs === 0 && !this.freed) {
      this.freed = true;
      this.arena.free(this.base, this.count);
      this.view = new Uint8Array(0);
      this.onFree();
    }
  }

  read(offset: number, out: Uint8Array, outOffset: number, len: number): void {
    out.set(this.view.subarray(offset, offset + len), outOffset);
  }

  write(offset: number, src: Uint8Array, srcOffset: number, len: number): void {
    this.view.set(src.subarray(srcOffset, srcOffset + len), offset);
  }
}
