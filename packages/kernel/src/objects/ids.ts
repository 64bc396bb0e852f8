// Id sequences of kernel objects (labels like `sub:3`, `obj:12`, `frame:7`), one set per kernel
// instance: two kernels in one process never share a sequence. Deterministic: counters only.

export class KernelIds {
  private subV = 1;
  private checkpointV = 1;
  private deviceV = 1;
  private objectV = 1;
  private streamV = 1;
  private memV = 1;

  /** Event subscriptions (`sub:<n>`). */
  sub(): number {
    return this.subV++;
  }
  /** Checkpoint ids (part of `ckpt-...-<n>`). */
  checkpoint(): number {
    return this.checkpointV++;
  }
  /** Devices plugged into the bus (`device:<kind>:<name>:<n>`). */
  device(): number {
    return this.deviceV++;
  }
  /** Service objects (`obj:<n>`). */
  object(): number {
    return this.objectV++;
  }
  /** Model streams (`stream:<n>`). */
  stream(): number {
    return this.streamV++;
  }
  /** Anonymous memory (`mem:<n>`). */
  mem(): number {
    return this.memV++;
  }
}
