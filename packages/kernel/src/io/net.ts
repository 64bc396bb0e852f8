// The net device as kernel objects: a NetObject holds an agent's host grants and its rate
// buckets (requests and bytes per second, one second of burst); a NetBodyObject is an open
// response body read chunk by chunk (closing its last handle aborts the connection).

import { AiosError, type NetPortResponse } from '@aios/abi';
import type { KObject } from '../cap/captree.ts';
import { type Grant, showGrant } from './grants.ts';

let nextNet = 1;

/** A token bucket of `rate` per second with one second of burst; take() throws EQUOTA and takes nothing. */
export class Bucket {
  private tokens: number;
  constructor(readonly rate: number, private last: number, readonly resource: string) {
    this.tokens = rate;
  }
  private refill(now: number): void {
    this.tokens = Math.min(this.rate, this.tokens + (Math.max(0, now - this.last) / 1000) * this.rate);
    this.last = now;
  }
  /** Takes n (a request bigger than the burst needs a full bucket). */
  take(now: number, n: number): void {
    this.refill(now);
    const need = Math.min(n, this.rate);
    if (this.tokens < need) throw new AiosError('EQUOTA', `${this.resource} quota exceeded (${this.rate} per second)`, { resource: this.resource, limit: this.rate, used: Math.round(this.rate - this.tokens) });
    this.tokens -= n;
  }
  /** Charges bytes already moved (a body chunk): may go negative, so the next take waits for the debt. */
  charge(now: number, n: number): void {
    this.refill(now);
    this.tokens -= n;
  }
}

export class NetObject implements KObject {
  readonly type = 'device' as const;
  readonly label: string;
  /** The owner's open response bodies (bounded). */
  open = 0;
  /**
   * @param grants  what this device may reach; `all` (the node's own) reaches anything
   */
  constructor(readonly grants: readonly Grant[], readonly all: boolean, readonly requests: Bucket, readonly bytes: Bucket) {
    this.label = `device:net:${nextNet++}`;
  }

  describe(): string {
    return this.all ? '*' : this.grants.map(showGrant).join(',');
  }
}

let nextExchange = 1;

/**
 * One request and its response (NetFetch): the head arrives once (NetResponse), the body chunk by chunk
 * (NetRead). Releasing the last handle aborts it, whatever stage it is in.
 */
export class NetExchangeObject implements KObject {
  readonly type = 'stream' as const;
  readonly label = `stream:net:${nextExchange++}`;
  done = false;
  received = 0;
  res: NetPortResponse | null = null;
  /** Settled head (ok or error), taken by NetResponse. */
  readonly head: Promise<NetPortResponse>;
  constructor(private readonly call: { response: Promise<NetPortResponse>; abort(reason?: string): void }, readonly net: NetObject, readonly host: string, readonly started: number) {
    net.open++;
    this.head = call.response.then((r) => {
      this.res = r;
      if (this.done) r.cancel();
      return r;
    });
    this.head.catch(() => this.finish());
  }

  release(): void {
    if (this.done) return;
    this.finish();
    if (this.res) this.res.cancel();
    else this.call.abort('exchange closed');
  }

  finish(): void {
    if (this.done) return;
    this.done = true;
    this.net.open--;
  }
}
