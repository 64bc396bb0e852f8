// An event subscription (EventSubscribe): closing its last handle cancels it.

import type { KObject } from '../cap/captree.ts';

export class Subscription implements KObject {
  readonly type = 'subscription' as const;
  readonly label: string;
  release: () => void = () => {};
  constructor(readonly pattern: string, id: number) {
    this.label = `sub:${id}`;
  }
}
