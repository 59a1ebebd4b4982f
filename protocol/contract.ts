/**
 * The driving contract: the one interface between a protocol core and whatever drives it.
 *
 * Theory of operation (after str0m and quinn-proto): a protocol node is a sans-IO state machine.
 * The driver feeds it one `NodeInput` at a time with `handle`, then drains every `NodeOutput` with
 * `pollOutput` until it answers `undefined`. All time is external input (`now`, in milliseconds of the
 * node's own local clock); the node never reads a clock, arms a real timer, touches I/O or draws global
 * randomness. Timers are named data: `setTimer` replaces any earlier deadline of the same name,
 * `cancelTimer` removes it. The sender of a received message is the identity the transport
 * authenticated, never a field of the message. Wire messages are bytes: the node owns its codec, so a
 * driver can corrupt, duplicate or replay them without knowing their shape.
 *
 * The simulator (`sim/`), the real-time transport and third-party protocols all meet here; this file
 * imports nothing.
 */

/** Milliseconds on a node's local clock (may be fractional). */
export type Millis = number;

/** A peer's identity, as the transport authenticated it. */
export type PeerId = string;

/** The two channels between every pair of peers: reliable-ish signaling and unreliable media. */
export type Channel = 'signaling' | 'media';

/** Every channel, in a stable order. */
export const CHANNELS: readonly Channel[] = ['signaling', 'media'];

/** A seeded source of randomness injected into a node; the only randomness a node may use. */
export interface RandomSource {
  /** The next uniformly distributed unsigned 32-bit integer. */
  nextUint32(): number;
}

/** What a driver gives a node when it creates it. */
export interface NodeContext {
  /** This node's own identity. */
  readonly id: PeerId;
  /** The node's private random stream (continues across restarts). */
  readonly random: RandomSource;
}

/** One input to a node. Every input carries the node's local time. */
export type NodeInput<Command> =
  | { readonly type: 'start'; readonly now: Millis; readonly snapshot: Uint8Array | undefined }
  | { readonly type: 'command'; readonly now: Millis; readonly command: Command }
  | {
      readonly type: 'receive';
      readonly now: Millis;
      readonly from: PeerId;
      readonly channel: Channel;
      readonly bytes: Uint8Array;
    }
  | { readonly type: 'timer'; readonly now: Millis; readonly timer: string };

/** One output of a node, drained after every input. */
export type NodeOutput<Event> =
  | { readonly type: 'send'; readonly to: PeerId; readonly channel: Channel; readonly bytes: Uint8Array }
  | { readonly type: 'setTimer'; readonly timer: string; readonly at: Millis }
  | { readonly type: 'cancelTimer'; readonly timer: string }
  | { readonly type: 'event'; readonly event: Event }
  | { readonly type: 'persist'; readonly snapshot: Uint8Array };

/** A typed error returned (never thrown) for a local misuse or an input the node refuses. */
export interface NodeError {
  /** A stable machine-readable code, e.g. `call-not-found`. */
  readonly code: string;
  /** A human-readable explanation. */
  readonly message: string;
}

/** The answer to one input: accepted (with an optional value for queries) or refused with a typed error. */
export type Outcome =
  | { readonly ok: true; readonly value?: unknown }
  | { readonly ok: false; readonly error: NodeError };

/** The accepted outcome with no value, shared to avoid allocating one per input. */
export const OK: Outcome = Object.freeze({ ok: true });

/** A protocol node as seen by any driver. */
export interface ProtocolNode<Command, Event> {
  /** Feed one input; returns whether it was accepted. Must not throw. */
  handle(input: NodeInput<Command>): Outcome;
  /** The next pending output, or `undefined` when drained. */
  pollOutput(): NodeOutput<Event> | undefined;
}

/** A protocol as a plug-in: how to make nodes, and how to label its messages for traces. */
export interface Protocol<Command, Event> {
  /** A short stable name, e.g. `callsim` or `warp-blink`. */
  readonly name: string;
  /** Make a fresh node (at boot and at every restart after a crash). */
  create(context: NodeContext): ProtocolNode<Command, Event>;
  /** A short human label of a wire message sent on `channel`, for traces and diagrams (optional). */
  describe?(bytes: Uint8Array, channel: Channel): string;
}

/** Closes a switch over a union: adding a variant breaks the build where it is not handled. */
export function assertNever(value: never): never {
  throw new Error(`unhandled variant: ${JSON.stringify(value)}`);
}
