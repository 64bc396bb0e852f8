// Running an agent's code: loading an image into its execution domain (with a gate bound to the
// agent), main and onMessage handlers as activations, lifecycle hooks between handlers, and the
// swap of an upgraded instance (the old one kept for a rollback until the window ends).

import { AiosError, limits, type Domain } from '@aios/abi';
import type { Agent } from '../objects/agent.ts';
import { AgentExit } from './exit.ts';
import { agentNameProblem } from './name.ts';
import type { AgentInstance, ExecutionDomain, Gate } from '../domain/types.ts';
import type { EventBus } from '../event/bus.ts';
import type { KernelPorts, LoadedImage } from '../ports.ts';

export type HookKind = 'serialize' | 'restore' | 'merge' | 'partition' | 'migrate';

/** What running agents needs from the kernel. */
export interface RunnerDeps {
  readonly ports: KernelPorts;
  readonly events: EventBus;
  readonly domains: ReadonlyMap<Domain, ExecutionDomain>;
  readonly sliceMs: number;
  now(): number;
  /** The syscall entry the gates call (the dispatcher). */
  readonly dispatcher: { syscall(a: Agent, nr: number, args: unknown[]): unknown };
  wake(a: Agent, activation: () => void): void;
  queueStep(): void;
  pump(a: Agent): void;
  ack(a: Agent, msg: Agent['inFlight']): void;
  ackReceipts(a: Agent): void;
  trap(a: Agent, err: unknown): void;
  exitAgent(a: Agent, code: number, reason: string): void;
}

export class Runner {
  constructor(private readonly deps: RunnerDeps) {}

  /**
   * Loads the instance into a fresh agent and queues its first activations. With `init.state`
   * the restore hook runs first (clone, restore, split); main then runs only for agents that do
   * not serve messages (a job resumes from its state; a server goes straight to its mailbox).
   */
  startAgent(a: Agent, image: LoadedImage, init?: { state: unknown }): void {
    const d = this.deps;
    const inst = this.instantiate(a, image);
    a.instance = inst;
    a.image = image;
    a.hasOnMessage = inst.info.hasOnMessage;
    // An image's own name is taken only when it is a valid name (not all digits, no control characters).
    const imageName = inst.info.name?.slice(0, limits.AGENT_NAME_MAX);
    if (a.nameFromImage && imageName && agentNameProblem(imageName) === null) a.name = imageName;
    if (inst.info.version) a.manifest = { name: inst.info.name ?? a.name, version: inst.info.version, description: inst.info.description };
    a.state = 'ready';
    d.events.publish(`agent.${a.id}.start`, d.now(), { id: a.id, name: a.name, domain: a.domain });
    // A step soon, even for an agent with nothing to run yet: an idle step lets domains prepare the next sandbox.
    d.queueStep();
    const runMain = inst.info.hasMain && (init === undefined || !inst.info.hasOnMessage);
    const begin = (): void => {
      if (runMain) {
        d.wake(a, () => this.runHandler(a, inst.dispatch('main'), true));
      } else {
        a.mainDone = true;
        if (a.state === 'ready') a.state = 'waiting';
        d.pump(a);
      }
    };
    if (init !== undefined && init.state !== undefined && (inst.info.hooks ?? []).includes('restore')) {
      this.runHook(a, 'restore', { state: init.state }).then(begin, (e: unknown) => d.trap(a, e));
    } else {
      begin();
    }
  }

  /** Evaluates an image in the agent's domain with a gate bound to the agent (ENOSYS: no such domain; EINVAL when it does not load). */
  instantiate(a: Agent, image: LoadedImage): AgentInstance {
    const d = this.deps;
    const domain = d.domains.get(a.domain);
    if (domain === undefined) throw new AiosError('ENOSYS', `execution domain ${a.domain} is not available on this node`, { domain: a.domain });
    const dispatcher = d.dispatcher;
    const gate: Gate = (nr, args) => dispatcher.syscall(a, nr, args);
    try {
      return domain.instantiate(image.code, gate, {
        memoryBytes: Math.min(a.quota.limits.memBytes, 32 * 2 ** 20),
        stackBytes: 512 * 1024,
        sliceMs: d.sliceMs,
      }, a);
    } catch (e) {
      throw new AiosError('EINVAL', `image ${image.origin} did not load: ${(e as Error).message}`, { origin: image.origin });
    }
  }

  /** Puts an upgraded instance in place; the old one is kept for a rollback until the window ends. */
  swapInstance(a: Agent, next: AgentInstance, image: LoadedImage, windowMs: number): void {
    const d = this.deps;
    const oldInstance = a.instance!;
    const oldImage = a.image!;
    a.instance = next;
    a.image = image;
    a.hasOnMessage = next.info.hasOnMessage;
    if (a.manifest && next.info.version) a.manifest = { ...a.manifest, version: next.info.version };
    const finish = (): void => {
      if (a.upgrade === null) return;
      a.upgrade = null;
      try {
        oldInstance.dispose();
      } catch {
        /* already gone */
      }
    };
    if (windowMs <= 0) {
      try {
        oldInstance.dispose();
      } catch {
        /* already gone */
      }
      return;
    }
    a.upgrade = { oldInstance, oldImage, until: d.now() + windowMs, timer: d.ports.timers.setTimer(windowMs, finish) };
    d.pump(a);
  }

  /**
   * Runs a lifecycle hook as an activation of the agent, when it is not inside a message
   * handler (a snapshot between activations). Resolves with the hook's JSON result. Without `inst` the hook
   * runs on the instance the agent has when the activation starts (a migration may swap it meanwhile).
   */
  runHook(a: Agent, kind: HookKind, payload: unknown, instance?: AgentInstance | null): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const go = (): void => {
        this.deps.wake(a, () => {
          const inst = instance === undefined ? a.instance : instance;
          if (inst === null || !a.alive) return reject(new AiosError('ESRCH', `agent ${a.id} has exited`, { agent: a.id }));
          a.busy = true;
          inst.dispatch(kind, payload).then(
            (r) => {
              a.busy = false;
              resolve(r);
              this.afterIdle(a);
            },
            (e: unknown) => {
              a.busy = false;
              reject(e);
              this.afterIdle(a);
            },
          );
        });
      };
      if (a.busy) a.idleWaiters.push(go);
      else go();
    });
  }

  /** The agent left a handler: run one queued lifecycle step, or deliver the next message. */
  afterIdle(a: Agent): void {
    const next = a.idleWaiters.shift();
    if (next) next();
    else this.deps.pump(a);
  }

  /** Tracks a handler's promise: main's end exits the agent unless it serves messages; a throw is a trap. */
  runHandler(a: Agent, p: Promise<unknown>, isMain: boolean): void {
    const d = this.deps;
    p.then(
      () => {
        if (!a.alive) return;
        if (isMain) {
          a.mainDone = true;
          if (!a.hasOnMessage) return d.exitAgent(a, 0, 'main returned');
        } else {
          a.busy = false;
          d.ack(a, a.inFlight);
          a.inFlight = null;
        }
        // What the handler received itself (replies, and messages its runtime set aside and handled before
        // the activation ended) is handled now: see sys_ipc.ts ackReceived.
        d.ackReceipts(a);
        this.afterIdle(a);
      },
      (err: unknown) => {
        if (!a.alive || err instanceof AgentExit) return;
        d.trap(a, err);
      },
    );
  }
}
