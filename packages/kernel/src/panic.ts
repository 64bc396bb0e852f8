// A broken kernel invariant. Never an AiosError: callers must not catch and carry on.
export class KernelPanic extends Error {
  constructor(message: string) {
    super(`kernel panic: ${message}`);
    this.name = 'KernelPanic';
  }
}

export function assert(cond: unknown, message: string): asserts cond {
  if (!cond) throw new KernelPanic(message);
}
