// Memory objects: the bytes behind a mapping. Anonymous memory is demand-paged
// (a page costs host memory only once written); frame memory is a view of the
// node's physical arena. Both are kernel objects that handles can name.

import { limits } from '@aios/abi';
import type { KObject } from '../cap/captree.ts';

const PAGE = limits.PAGE_SIZE;

export interface Backing extends KObject {
  readonly size: number;
  read(offset: number, out: Uint8Array, outOffset: number, len: number): void;
  write(offset: number, src: Uint8Array, srcOffset: number, len: number): void;
}

/** Zero-filled, demand-paged memory. Pages are allocated on first write. */
export class AnonMemory implements Backing {
  readonly type = 'memory' as const;
  readonly label: string;
  private readonly pages = new Map<number, Uint8Array>();
  /** Mappings of this memory in other agents' address spaces (MemMap); the owner cannot free it meanwhile. */
  sharedMappings = 0;
  /** id: from the kernel's sequence (KernelIds.mem), unique per kernel. */
  constructor(readonly size: number, id: number) {
    this.label = `mem:${id}`;
  }

  get residentBytes(): number {
    return this.pages.size * PAGE;
  }

  /** Calls fn for each page piece of [offset, offset + len): page number, offset in page, bytes done so far, piece length. */
  private eachPiece(offset: number, len: number, fn: (pageNo: number, inPage: number, done: number, n: number) => void): void {
    let done = 0;
    while (done < len) {
      const pos = offset + done;
      const pageNo = Math.floor(pos / PAGE);
      const inPage = pos - pageNo * PAGE;
      const n = Math.min(PAGE - inPage, len - done);
      fn(pageNo, inPage, done, n);
      done += n;
    }
  }

  read(offset: number, out: Uint8Array, outOffset: number, len: number): void {
    this.eachPiece(offset, len, (pageNo, inPage, done, n) => {
      const page = this.pages.get(pageNo);
      if (page) out.set(page.subarray(inPage, inPage + n), outOffset + done);
      else out.fill(0, outOffset + done, outOffset + done + n);
    });
  }

  write(offset: number, src: Uint8Array, srcOffset: number, len: number): void {
    this.eachPiece(offset, len, (pageNo, inPage, done, n) => {
      let page = this.pages.get(pageNo);
      if (!page) {
        page = new Uint8Array(PAGE);
        this.pages.set(pageNo, page);
      }
      page.set(src.subarray(srcOffset + done, srcOffset + done + n), inPage);
    });
  }
}
