// The model device object: the node's llm driver behind the kernel's fair dispatcher, named by a handle
// with USE (the Llm* syscalls).

import type { KObject } from '../cap/captree.ts';
import type { ModelDevice } from '../llm/index.ts';

export class ModelDeviceObject implements KObject {
  readonly type = 'device' as const;
  readonly label: string;
  constructor(readonly device: ModelDevice) {
    this.label = `device:llm:${device.driver.info.name}`;
  }
}
