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
import type { TraceHooks } from './trace.ts';

/** A host's lifecycle state. */
export type HostState = 'up' | 'paused' | 'down';

/** What a host needs from its world. */
export interface HostEnv {
  /** The world's scheduler. */
  readonly scheduler: Scheduler;
  /** The trace hooks, one per kind someone listens to. */
  readonly trace: TraceHooks;
  /** Send bytes from `from` to `to` on `channel`. */
  send(from: PeerId, to: PeerId, channel: Channel, bytes: Uint8Array): void;
  /** Called after every input the node handled and drained (invariant checkers look then). */
  settled(host: Host<any, any>, input: NodeInput<any>): void;
}

/** The most outputs one input may produce before the host stops draining (a runaway node). */
export const MAX_OUTPUTS_PER_INPUT = 100_000;

/** Disarmed timer slots are swept when a host holds more than this many names. */
const SLOT_SWEEP = 1024;

/** One timer name's slot in the table; `token` 0 means disarmed. Reused across re-arms. */
interface TimerSlot {
  token: number;
  localDeadline: number;
}

interface TimerFiring {
  readonly name: string;
  readonly slot: TimerSlot;
  readonly token: number;
}

type Waiting = { readonly type: 'timer'; readonly firing: TimerFiring } | { readonly type: 'receive'; readonly packet: Packet };

/** Drives one protocol node. */
export class Host<Command = unknown, Event = unknown> {
  /** The node's local clock. */
  readonly clock = new NodeClock();
  private node: ProtocolNode<Command, Event> | null = null;
  private lifecycle: HostState = 'down';
  private timers = new Map<string, TimerSlot>();
  private tokens = 0;
  private inbox: Waiting[] = [];
  private persisted: Uint8Array | undefined;
  private lastError = '';
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
    const armed = [...this.timers].filter(([, slot]) => slot.token !== 0).sort(([a], [b]) => (a < b ? -1 : 1));
    return Object.fromEntries(armed.map(([name, slot]) => [name, slot.localDeadline]));
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
    const input: NodeInput<Command> = { type: 'start', now: this.localNow(), snapshot: this.persisted };
    if (this.feed(input) !== undefined) this.drain(input);
  }

  /** Lose all volatile state: the node, its timers and its inbox. The snapshot stays. */
  crash(): void {
    this.node = null;
    this.lifecycle = 'down';
    for (const slot of this.timers.values()) slot.token = 0;
    this.timers = new Map();
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
    this.clock.set(this.env.scheduler.now, setting);
    for (const [name, slot] of this.timers) if (slot.token !== 0) this.arm(name, slot.localDeadline);
  }

  /** Give the node a user command; refused with a typed error when the node is not up. */
  command(command: Command): Outcome {
    const { env, id } = this;
    const t = env.scheduler.now;
    if (this.lifecycle !== 'up') {
      const error: NodeError = { code: `node-${this.lifecycle}`, message: `${id} is ${this.lifecycle}` };
      env.trace.command?.({ kind: 'command', t, node: id, command, error: error.code });
      return { ok: false, error };
    }
    const input: NodeInput<Command> = { type: 'command', now: this.localNow(), command };
    const outcome = this.feed(input);
    if (outcome === undefined) return { ok: false, error: { code: 'node-threw', message: this.lastError } };
    env.trace.command?.({ kind: 'command', t, node: id, command, ...(outcome.ok ? {} : { error: outcome.error.code }) });
    this.drain(input);
    return outcome;
  }

  /** Ask the node something without tracing it (invariant checks); undefined unless the node is up. */
  query(command: Command): Outcome | undefined {
    if (this.lifecycle !== 'up') return undefined;
    const outcome = this.feed({ type: 'command', now: this.localNow(), command });
    if (outcome !== undefined) this.drain(undefined);
    return outcome;
  }

  /** A packet cleared its link; the world has checked partitions and that this host is not down. */
  receive(packet: Packet): void {
    if (this.lifecycle !== 'up') {
      if (this.lifecycle === 'paused') this.inbox.push({ type: 'receive', packet });
      return;
    }
    const input: NodeInput<Command> = { type: 'receive', now: this.localNow(), from: packet.from, channel: packet.channel, bytes: packet.bytes };
    const outcome = this.feed(input);
    if (outcome === undefined) return;
    const trace = this.env.trace.deliver;
    if (trace !== undefined) {
      const t = this.env.scheduler.now;
      trace({ kind: 'deliver', t, node: this.id, from: packet.from, channel: packet.channel, packet: packet.id, ...(outcome.ok ? {} : { refused: outcome.error.code }) });
    }
    this.drain(input);
  }

  private arm(name: string, localDeadline: number): void {
    let slot = this.timers.get(name);
    if (slot === undefined) this.timers.set(name, (slot = { token: 0, localDeadline }));
    slot.token = ++this.tokens;
    slot.localDeadline = localDeadline;
    // On the microsecond grid, rounded up so the node never wakes before its deadline.
    const now = this.env.scheduler.now;
    const at = Math.max(now, Math.ceil(this.clock.toGlobal(localDeadline, now) * 1e3 - 1e-6) / 1e3);
    this.env.scheduler.schedule(at, this.fireAction, { name, slot, token: slot.token });
  }

  private fire(firing: TimerFiring): void {
    const slot = firing.slot;
    if (slot.token !== firing.token) return; // cancelled, re-armed or crashed
    if (this.lifecycle === 'paused') {
      this.inbox.push({ type: 'timer', firing });
      return;
    }
    slot.token = 0; // the slot stays for the next arm of this name; sweep if names pile up
    if (this.timers.size > SLOT_SWEEP) for (const [name, s] of this.timers) if (s.token === 0) this.timers.delete(name);
    this.env.trace.timer?.({ kind: 'timer', t: this.env.scheduler.now, node: this.id, timer: firing.name });
    const input: NodeInput<Command> = { type: 'timer', now: Math.max(this.localNow(), slot.localDeadline), timer: firing.name };
    if (this.feed(input) !== undefined) this.drain(input);
  }

  /** Hand one input to the node; undefined when it threw (the host is then down). */
  private feed(input: NodeInput<Command>): Outcome | undefined {
    try {
      return this.node!.handle(input);
    } catch (error) {
      this.threw(error);
      return undefined;
    }
  }

  /** Drain every output of the node, then tell the world it settled after `input` (none for queries). */
  private drain(input: NodeInput<Command> | undefined): void {
    const node = this.node!;
    const env = this.env;
    try {
      for (let n = 0; n < MAX_OUTPUTS_PER_INPUT; n++) {
        if (this.node !== node) return; // the node crashed while we drained
        const out = node.pollOutput();
        if (out === undefined) {
          if (input !== undefined) env.settled(this, input);
          return;
        }
        switch (out.type) {
          case 'send':
            // a foreign node's mistake is its own crash, not a confusing failure at the receiver
            if ((out.channel !== 'signaling' && out.channel !== 'media') || !(out.bytes instanceof Uint8Array)) {
              throw new TypeError(`send to ${String(out.to)} on ${JSON.stringify(out.channel)} of ${Object.prototype.toString.call(out.bytes)}: the contract sends a Uint8Array on 'signaling' or 'media'`);
            }
            env.send(this.id, out.to, out.channel, out.bytes);
            break;
          case 'setTimer':
            if (!Number.isFinite(out.at)) throw new RangeError(`timer ${out.timer} armed at ${out.at}`);
            this.arm(out.timer, out.at);
            break;
          case 'cancelTimer': {
            const slot = this.timers.get(out.timer);
            if (slot !== undefined) (slot.token = 0), this.timers.delete(out.timer);
            break;
          }
          case 'event':
            env.trace.event?.({ kind: 'event', t: env.scheduler.now, node: this.id, event: out.event });
            break;
          case 'persist':
            this.persisted = out.snapshot.slice();
            env.trace.persist?.({ kind: 'persist', t: env.scheduler.now, node: this.id, size: out.snapshot.length });
            break;
          default:
            throw new TypeError(`unknown output ${JSON.stringify(out)}`);
        }
      }
      throw new RangeError(`more than ${MAX_OUTPUTS_PER_INPUT} outputs for one input`);
    } catch (error) {
      this.threw(error);
    }
  }

  private threw(error: unknown): void {
    this.lastError = String(error);
    this.crash();
    this.env.trace.fault?.({ kind: 'fault', t: this.env.scheduler.now, fault: 'node-threw', detail: { node: this.id, error: this.lastError } });
  }
}
