/**
 * The trace: every send, delivery, drop, duplicate, corruption, timer, event, command and fault of a run.
 *
 * Theory of operation: the world builds one `TraceEvent` per happening, only when a sink wants its kind
 * (a sink may name the kinds it wants), and hands it to those sinks. Sinks decide what to keep, so a long run need not hold its trace in
 * memory: `TraceHasher` folds each event into a SHA-256 as it goes, `TraceRing` keeps the last N (the
 * events that led to a failure), `TraceRecorder` keeps everything (tests), `TraceLines` streams JSON lines
 * to a writer. The hash is over a canonical encoding, one line per event with fields in a fixed order and
 * payloads as JSON with sorted keys, so the same run gives the same hash in any process.
 */
import { createHash, type Hash } from 'node:crypto';
import type { Channel, PeerId } from '../protocol/contract.ts';

/** Why a packet did not arrive. */
export type DropReason = 'loss' | 'queue' | 'partition' | 'crashed' | 'no-route';

/** One happening in a simulated run; `t` is global simulated time in ms. */
export type TraceEvent =
  | {
      readonly kind: 'send';
      readonly t: number;
      readonly node: PeerId;
      readonly to: PeerId;
      readonly channel: Channel;
      readonly packet: number;
      readonly size: number;
      readonly label?: string;
    }
  | {
      readonly kind: 'deliver';
      readonly t: number;
      readonly node: PeerId;
      readonly from: PeerId;
      readonly channel: Channel;
      readonly packet: number;
      /** Set when the node refused the message (e.g. its codec rejected corrupted bytes). */
      readonly refused?: string;
    }
  | {
      readonly kind: 'drop';
      readonly t: number;
      readonly node: PeerId;
      readonly to: PeerId;
      readonly channel: Channel;
      readonly packet: number;
      readonly reason: DropReason;
    }
  | {
      readonly kind: 'duplicate';
      readonly t: number;
      readonly node: PeerId;
      readonly to: PeerId;
      readonly channel: Channel;
      readonly packet: number;
      readonly copy: number;
    }
  | {
      readonly kind: 'corrupt';
      readonly t: number;
      readonly node: PeerId;
      readonly to: PeerId;
      readonly channel: Channel;
      readonly packet: number;
      readonly byte: number;
      readonly bit: number;
    }
  | { readonly kind: 'timer'; readonly t: number; readonly node: PeerId; readonly timer: string }
  | { readonly kind: 'event'; readonly t: number; readonly node: PeerId; readonly event: unknown }
  | {
      readonly kind: 'command';
      readonly t: number;
      readonly node: PeerId;
      readonly command: unknown;
      readonly error?: string;
    }
  | { readonly kind: 'persist'; readonly t: number; readonly node: PeerId; readonly size: number }
  | { readonly kind: 'fault'; readonly t: number; readonly fault: string; readonly detail: unknown };

/** The kinds of trace event. */
export type TraceKind = TraceEvent['kind'];

/** The trace event of kind `K`. */
export type TraceEventOf<K extends TraceKind> = Extract<TraceEvent, { readonly kind: K }>;

/** Anything that consumes trace events. */
export interface TraceSink {
  /** Take one event (called in simulated-time order). */
  record(event: TraceEvent): void;
  /** The kinds this sink wants (every kind when absent): nobody builds an event no sink wants. */
  readonly kinds?: readonly TraceKind[];
}

/** Per kind, the hook that hands an event of that kind to the sinks that want it; absent when none does. */
export type TraceHooks = { readonly [K in TraceKind]?: (event: TraceEventOf<K>) => void };

/** Every trace kind. */
export const TRACE_KINDS: readonly TraceKind[] = ['send', 'deliver', 'drop', 'duplicate', 'corrupt', 'timer', 'event', 'command', 'persist', 'fault'];

/** The hooks that route each kind to the `sinks` that want it. */
export function traceHooks(sinks: readonly TraceSink[]): TraceHooks {
  const hooks: Partial<Record<TraceKind, (event: TraceEvent) => void>> = {};
  for (const kind of TRACE_KINDS) {
    const wanting = sinks.filter((s) => s.kinds === undefined || s.kinds.includes(kind));
    if (wanting.length === 1) hooks[kind] = (e) => wanting[0]!.record(e);
    else if (wanting.length > 1) hooks[kind] = (e) => wanting.forEach((s) => s.record(e));
  }
  return hooks as TraceHooks;
}

/** The canonical one-line encoding of an event, as hashed. */
export function encodeTraceEvent(e: TraceEvent): string {
  switch (e.kind) {
    case 'send':
      return `${e.t} send ${e.node} ${e.to} ${e.channel} #${e.packet} ${e.size}${e.label === undefined ? '' : ' ' + e.label}`;
    case 'deliver':
      return `${e.t} deliver ${e.node} ${e.from} ${e.channel} #${e.packet}${e.refused === undefined ? '' : ' refused:' + e.refused}`;
    case 'drop':
      return `${e.t} drop ${e.node} ${e.to} ${e.channel} #${e.packet} ${e.reason}`;
    case 'duplicate':
      return `${e.t} duplicate ${e.node} ${e.to} ${e.channel} #${e.packet} #${e.copy}`;
    case 'corrupt':
      return `${e.t} corrupt ${e.node} ${e.to} ${e.channel} #${e.packet} ${e.byte}.${e.bit}`;
    case 'timer':
      return `${e.t} timer ${e.node} ${e.timer}`;
    case 'event':
      return `${e.t} event ${e.node} ${canonicalJson(e.event)}`;
    case 'command':
      return `${e.t} command ${e.node} ${canonicalJson(e.command)}${e.error === undefined ? '' : ' error:' + e.error}`;
    case 'persist':
      return `${e.t} persist ${e.node} ${e.size}`;
    case 'fault':
      return `${e.t} fault ${e.fault} ${canonicalJson(e.detail)}`;
  }
}

/** JSON with object keys sorted at every level; byte arrays as hex strings. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    return value === undefined ? 'null' : JSON.stringify(value);
  }
  if (value instanceof Uint8Array) return JSON.stringify(Buffer.from(value).toString('hex'));
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record)
    .filter((k) => record[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k])}`).join(',')}}`;
}

/** Folds every event into a SHA-256 of the canonical encoding; memory use is constant. */
export class TraceHasher implements TraceSink {
  private hash: Hash = createHash('sha256');
  private pending = '';
  private count = 0;

  /** Events hashed so far. */
  get events(): number {
    return this.count;
  }

  record(event: TraceEvent): void {
    // Lines are batched into ~64 KB updates: one native call per event would dominate the cost.
    this.pending += encodeTraceEvent(event) + '\n';
    if (this.pending.length > 65_536) this.flush();
    this.count++;
  }

  /** The hex digest of everything recorded so far (the hasher can keep going afterwards). */
  digest(): string {
    this.flush();
    return this.hash.copy().digest('hex');
  }

  private flush(): void {
    this.hash.update(this.pending);
    this.pending = '';
  }
}

/** Keeps every event in memory (for tests and short runs). */
export class TraceRecorder implements TraceSink {
  /** Every event recorded, in order. */
  readonly events: TraceEvent[] = [];

  record(event: TraceEvent): void {
    this.events.push(event);
  }

  /** The events of the given kinds, in order. */
  ofKind<K extends TraceKind>(...kinds: K[]): Extract<TraceEvent, { kind: K }>[] {
    return this.events.filter((e): e is Extract<TraceEvent, { kind: K }> => (kinds as string[]).includes(e.kind));
  }

  /** The canonical lines of every event (handy for asserting whole sequences). */
  lines(...kinds: TraceKind[]): string[] {
    const events = kinds.length === 0 ? this.events : this.events.filter((e) => kinds.includes(e.kind));
    return events.map(encodeTraceEvent);
  }
}

/** Keeps only the last `capacity` events: the context of a failure, in bounded memory. */
export class TraceRing implements TraceSink {
  private readonly buffer: TraceEvent[] = [];
  private next = 0;

  /** @param capacity how many of the latest events to keep */
  constructor(readonly capacity: number) {}

  record(event: TraceEvent): void {
    if (this.buffer.length < this.capacity) this.buffer.push(event);
    else this.buffer[this.next] = event;
    this.next = (this.next + 1) % this.capacity;
  }

  /** The kept events, oldest first. */
  events(): TraceEvent[] {
    if (this.buffer.length < this.capacity) return [...this.buffer];
    return [...this.buffer.slice(this.next), ...this.buffer.slice(0, this.next)];
  }
}

/** Streams every event as one JSON line to `write` (e.g. a file), keeping nothing in memory. */
export class TraceLines implements TraceSink {
  /** @param write receives one line (with its newline) per event */
  constructor(private readonly write: (line: string) => void) {}

  record(event: TraceEvent): void {
    this.write(JSON.stringify(event, (_k, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v)) + '\n');
  }
}
