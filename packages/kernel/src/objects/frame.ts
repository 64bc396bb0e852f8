// A frame object: a run of the node's physical frames (FrameAlloc), named by frame handles and mapped
// with PageMap. Freed (and zeroed by the arena) when its last handle and mapping are gone.

import { limits } from '@aios/abi';
import type { FrameArena } from '../mem/arena.ts';
import type { Backing } from './memory.ts';

const PAGE = limits.PAGE_SIZE;

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
