/**
 * A host: the simulator's driver for one protocol node (one user's app on one machine).
 *
 * Theory of operation: the host owns the node's lifecycle (up, paused, down), its local clock, its
 * timer table and its persisted snapshot. Every input is stamped with the node's local time; after each
 * input the host drains every output: sends go to the world's links, timers become scheduler events
 * (cancellation by token: a firing whose token is no longer current is ignored), events go to the
 * trace, a persist replaces the stored snapshot. Crash drops the node object, its timers and anything
 * waiting for it (volatile state lost) and keeps the snapshot; restart builds a fresh node from the
 * protocol and starts it with that snapshot. While paused (a frozen process) due timers and arriving
 * messages wait in an inbox and are handled, in order, on resume. A node that throws is a crashed app:
 * the host records a `node-threw` fault and takes it down, so no protocol bug can crash the simulator.
 */
import type { Channel, NodeError, NodeInput, Outcome, PeerId, Protocol, ProtocolNode } from '../protocol/contract.ts';
import type { Packet } from './link.ts';
import { NodeClock, type ClockSetting } from './node-clock.ts';
import type { RandomStream } from './random.ts';
import type { Scheduler } from './scheduler.ts';
import type { TraceEvent } from './trace.ts';

/** A host's lifecycle state. */
export type HostState = 'up' | 'paused' | 'down';

/** What a host needs from its world. */
export interface HostEnv {
  /** The world's scheduler. */
  readonly scheduler: Scheduler;
  /** Record a trace event, when anyone listens. */
  readonly trace: ((event: TraceEvent) => void) | undefined;
  /** Send bytes from `from` to `to` on `channel`. */
  send(from: PeerId, to: PeerId, channel: Channel, bytes: Uint8Array): void;
}

/** The most outputs one input may produce before the host stops draining (a runaway node). */
export const MAX_OUTPUTS_PER_INPUT = 100_000;

interface ArmedTimer {
  readonly token: number;
  readonly localDeadline: number;
}

interface TimerFiring {
  readonly name: string;
  readonly token: number;
  readonly localDeadline: number;
}

type Waiting = { readonly type: 'timer'; readonly firing: TimerFiring } | { readonly type: 'receive'; readonly packet: Packet };

/** Drives one protocol node. */
export class Host<Command = unknown, Event = unknown> {
  /** The node's local clock. */
  readonly clock = new NodeClock();
  private node: ProtocolNode<Command, Event> | null = null;
  private lifecycle: HostState = 'down';
  private timers = new Map<string, ArmedTimer>();
  private tokens = 0;
  private inbox: Waiting[] = [];
  private persisted: Uint8Array | undefined;
  private readonly fireAction = (f: TimerFiring) => this.fire(f);

  /** A host for node `id` running `protocol`, drawing node randomness from `random`. */
  constructor(
    readonly id: PeerId,
    readonly protocol: Protocol<Command, Event>,
    private readonly random: RandomStream,
    private readonly env: HostEnv,
  ) {}

  /** Lifecycle state. */
  get state(): HostState {
    return this.lifecycle;
  }

  /** The last snapshot the node persisted (kept across crashes). */
  get snapshot(): Uint8Array | undefined {
    return this.persisted;
  }

  /** The armed timers and their local deadlines, by name, for inspection. */
  get armedTimers(): Record<string, number> {
    return Object.fromEntries([...this.timers].sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, t]) => [name, t.localDeadline]));
  }

  /** The node's local time now. */
  localNow(): number {
    return this.clock.toLocal(this.env.scheduler.now);
  }

  /** Start (or restart after a crash) a fresh node from the persisted snapshot. */
  start(): void {
    if (this.lifecycle !== 'down') return;
    this.lifecycle = 'up';
    let node: ProtocolNode<Command, Event>;
    try {
      node = this.protocol.create({ id: this.id, random: this.random });
    } catch (error) {
      this.threw(error);
      return;
    }
    this.node = node;
    this.input({ type: 'start', now: this.localNow(), snapshot: this.persisted });
  }

  /** Lose all volatile state: the node, its timers and its inbox. The snapshot stays. */
  crash(): void {
    this.node = null;
    this.lifecycle = 'down';
    this.timers.clear();
    this.inbox = [];
  }

  /** Freeze the node: timers and messages wait until `resume`. */
  pause(): void {
    if (this.lifecycle === 'up') this.lifecycle = 'paused';
  }

  /** Unfreeze the node and handle, in order, everything that waited. */
  resume(): void {
    if (this.lifecycle !== 'paused') return;
    this.lifecycle = 'up';
    const waiting = this.inbox;
    this.inbox = [];
    for (const w of waiting) {
      if (this.lifecycle !== 'up') break;
      if (w.type === 'timer') this.fire(w.firing);
      else this.receive(w.packet);
    }
  }

  /** Change the local clock's offset or drift; armed timers move with it. */
  setClock(setting: ClockSetting): void {
    const now = this.env.scheduler.now;
    const armed = [...this.timers];
    this.clock.set(now, setting);
    for (const [name, timer] of armed) this.arm(name, timer.localDeadline);
  }

  /** Give the node a user command; refused with a typed error when the node is not up. */
  command(command: Command): Outcome {
    const t = this.env.scheduler.now;
    if (this.lifecycle !== 'up') {
      const error: NodeError = { code: `node-${this.lifecycle}`, message: `${this.id} is ${this.lifecycle}` };
      this.env.trace?.({ kind: 'command', t, node: this.id, command, error: error.code });
      return { ok: false, error };
    }
    const outcome = this.input({ type: 'command', now: this.localNow(), command }, (o) =>
      this.env.trace?.({ kind: 'command', t, node: this.id, command, ...(o.ok ? {} : { error: o.error.code }) }),
    );
    return outcome;
  }

  /** A packet cleared its link; the world has checked partitions and that this host is not down. */
  receive(packet: Packet): void {
    if (this.lifecycle === 'paused') {
      this.inbox.push({ type: 'receive', packet });
      return;
    }
    if (this.lifecycle !== 'up') return;
    const t = this.env.scheduler.now;
    this.input({ type: 'receive', now: this.localNow(), from: packet.from, channel: packet.channel, bytes: packet.bytes }, (o) =>
      this.env.trace?.({
        kind: 'deliver',
        t,
        node: this.id,
        from: packet.from,
        channel: packet.channel,
        packet: packet.id,
        ...(o.ok ? {} : { refused: o.error.code }),
      }),
    );
  }

  private arm(name: string, localDeadline: number): void {
    const token = ++this.tokens;
    this.timers.set(name, { token, localDeadline });
    // On the microsecond grid, rounded up so the node never wakes before its deadline.
    const now = this.env.scheduler.now;
    const at = Math.max(now, Math.ceil(this.clock.toGlobal(localDeadline, now) * 1e3 - 1e-6) / 1e3);
    this.env.scheduler.schedule(at, this.fireAction, { name, token, localDeadline });
  }

  private fire(firing: TimerFiring): void {
    if (this.timers.get(firing.name)?.token !== firing.token) return; // cancelled, re-armed or crashed
    if (this.lifecycle === 'paused') {
      this.inbox.push({ type: 'timer', firing });
      return;
    }
    this.timers.delete(firing.name);
    this.env.trace?.({ kind: 'timer', t: this.env.scheduler.now, node: this.id, timer: firing.name });
    this.input({ type: 'timer', now: Math.max(this.localNow(), firing.localDeadline), timer: firing.name });
  }

  /** Feed one input, report its outcome, then drain every output. */
  private input(input: NodeInput<Command>, report?: (outcome: Outcome) => void): Outcome {
    const node = this.node!;
    let outcome: Outcome;
    try {
      outcome = node.handle(input);
      report?.(outcome);
      this.drain(node);
    } catch (error) {
      this.threw(error);
      return { ok: false, error: { code: 'node-threw', message: String(error) } };
    }
    return outcome;
  }

  private drain(node: ProtocolNode<Command, Event>): void {
    const env = this.env;
    for (let n = 0; n < MAX_OUTPUTS_PER_INPUT; n++) {
      if (this.node !== node) return; // the node crashed while we drained
      const out = node.pollOutput();
      if (out === undefined) return;
      switch (out.type) {
        case 'send':
          env.send(this.id, out.to, out.channel, out.bytes);
          break;
        case 'setTimer':
          if (!Number.isFinite(out.at)) throw new RangeError(`timer ${out.timer} armed at ${out.at}`);
          this.arm(out.timer, out.at);
          break;
        case 'cancelTimer':
          this.timers.delete(out.timer);
          break;
        case 'event':
          env.trace?.({ kind: 'event', t: env.scheduler.now, node: this.id, event: out.event });
          break;
        case 'persist':
          this.persisted = out.snapshot.slice();
          env.trace?.({ kind: 'persist', t: env.scheduler.now, node: this.id, size: out.snapshot.length });
          break;
        default:
          throw new TypeError(`unknown output ${JSON.stringify(out)}`);
      }
    }
    throw new RangeError(`more than ${MAX_OUTPUTS_PER_INPUT} outputs for one input`);
  }

  private threw(error: unknown): void {
    this.crash();
    this.env.trace?.({ kind: 'fault', t: this.env.scheduler.now, fault: 'node-threw', detail: { node: this.id, error: String(error) } });
  }
}
