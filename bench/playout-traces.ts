/**
 * Packet traces for the playout lab, made with the real simulator: a sender node sends one 20 ms audio
 * frame every 20 ms to a receiver over the media link, and the receiver runs a round-trip probe every
 * second on the same link; every frame's send time and arrival (or loss) and every round trip are kept.
 *
 * Theory of operation. Both nodes implement the driving contract; the world's seed fixes every draw, so
 * a trace is a pure function of (name, seed, duration). A frame is 200 bytes (160 bytes of G.711 plus
 * 40 of IPv4, UDP and RTP headers: 80 kbit/s), so capacity limits act as on a real call. Traces:
 *   - `wifi`, `4g`, `3g`, `edge`, `high-jitter`: the preset on every link;
 *   - `climb`: a bottleneck whose free capacity shrinks. The base path is 40 ms ± 5 ms (normal, FIFO,
 *     0.5 % random loss) with ample capacity (2000 kbit/s); every ~9 s an episode shrinks the forward
 *     media link's capacity, step by step every 100 ms, so that the time to serialise one packet grows
 *     linearly from 0.8 ms to 20 ms / fMin (fMin ∈ [0.75, 0.9]: capacity ends at fMin of the stream's
 *     rate) over 2.5–4.5 s; holds it for 1–2.5 s; then restores it. The delay first creeps up with the
 *     serialisation time, then the queue (at most 30 packets) builds once capacity is under the
 *     stream's rate and the delay climbs faster and faster, up to ~800 ms with tail drops; when
 *     capacity returns the queue drains as a burst. Episode parameters come from the seed;
 *   - `stall`: `wifi` whose forward media link stalls (the link model's `stall`: exponential gaps of
 *     mean 6 s, exponential lengths of mean 400 ms), then releases what it held at once. The same run
 *     without stalls (every concern draws from its own stream, so nothing else moves) gives each
 *     packet's natural arrival, hence each stall's onset: when its first held packet would have come.
 * Ground-truth episodes (climbs, stalls) are part of the trace for the warning evaluation.
 */
import { OK, type NodeInput, type NodeOutput, type Outcome, type PeerId, type Protocol, type ProtocolNode } from '../protocol/contract.ts';
import { OutputQueue } from '../protocol/output-queue.ts';
import type { LinkOverrides } from '../sim/link-config.ts';
import { RandomStreams } from '../sim/random.ts';
import { World, type NetworkSpec } from '../sim/world.ts';

/** Every trace the playout bench knows, in table order. */
export const TRACE_NAMES = ['wifi', '4g', '3g', 'edge', 'high-jitter', 'climb', 'stall'] as const;

/** A trace name. */
export type TraceName = (typeof TRACE_NAMES)[number];

/** Milliseconds between frames (and frame length). */
export const TRACE_FRAME_MS = 20;

/** Bytes of one audio packet on the wire. */
export const AUDIO_PACKET_BYTES = 200;

/** Milliseconds between round-trip probes. */
export const PROBE_INTERVAL_MS = 1000;

/** One audio frame of a trace. */
export interface PacketRecord {
  /** Sequence number (0, 1, …). */
  readonly seq: number;
  /** Send time = capture time on the sender's clock (the world clock). */
  readonly sentAt: number;
  /** First arrival time at the receiver, or undefined when lost. */
  readonly arrivedAt: number | undefined;
}

/** One round trip the receiver measured. */
export interface RoundTripRecord {
  /** When the answer arrived (ms). */
  readonly at: number;
  /** The round trip (ms). */
  readonly rttMs: number;
}

/** A ground-truth episode of a trace. */
export type TraceEpisode =
  /** The bottleneck's capacity was below the stream's rate from `start` to `end`. */
  | { readonly kind: 'climb'; readonly start: number; readonly end: number }
  /** The link stalled: its first held packet would have arrived at `onset`; all came at `release`. */
  | { readonly kind: 'stall'; readonly onset: number; readonly release: number };

/** A trace: what a receiver saw of one audio stream. */
export interface PlayoutTrace {
  /** The trace's name. */
  readonly name: TraceName;
  /** The world seed. */
  readonly seed: number;
  /** Frames were sent during [0, durationMs). */
  readonly durationMs: number;
  /** Every frame, by sequence number. */
  readonly packets: readonly PacketRecord[];
  /** Arrivals in arrival order (duplicates included). */
  readonly arrivals: readonly { readonly seq: number; readonly at: number }[];
  /** Round trips, in time order. */
  readonly roundTrips: readonly RoundTripRecord[];
  /** Ground-truth episodes, in time order. */
  readonly episodes: readonly TraceEpisode[];
}

const SENDER: PeerId = 'sender';
const RECEIVER: PeerId = 'receiver';
const FRAME = 1;
const PROBE = 2;
const ECHO = 3;

/** Base path of the `climb` trace: a quiet LTE-like uplink with ample capacity. */
const CLIMB_BASE: LinkOverrides = { delayMs: 40, jitterMs: 5, distribution: 'normal', allowReordering: false, loss: { model: 'random', p: 0.005 } };

/** Capacity of the `climb` bottleneck outside episodes (kbit/s). */
const CLIMB_AMPLE_KBPS = 2000;

/** Time the ample bottleneck takes to serialise one audio packet (ms). */
const AMPLE_SERVICE_MS = (AUDIO_PACKET_BYTES * 8) / CLIMB_AMPLE_KBPS;

/** The stream's own rate (kbit/s). */
const STREAM_KBPS = (AUDIO_PACKET_BYTES * 8) / TRACE_FRAME_MS;

/** Generate trace `name` with `seed`, frames sent for `durationMs`. */
export function playoutTrace(name: TraceName, seed = 1, durationMs = 60_000): PlayoutTrace {
  switch (name) {
    case 'climb':
      return climbTrace(seed, durationMs);
    case 'stall':
      return stallTrace(seed, durationMs);
    default:
      return { ...run(name, seed, durationMs, name), episodes: [] };
  }
}

/** What one simulated run recorded. */
interface Recorded {
  readonly name: TraceName;
  readonly seed: number;
  readonly durationMs: number;
  readonly packets: PacketRecord[];
  readonly arrivals: { readonly seq: number; readonly at: number }[];
  readonly roundTrips: RoundTripRecord[];
}

function run(name: TraceName, seed: number, durationMs: number, network: NetworkSpec, script?: (world: World) => void): Recorded {
  const world = new World({ seed, network });
  const frames = Math.floor(durationMs / TRACE_FRAME_MS);
  const sentAt: number[] = [];
  const arrivedAt: (number | undefined)[] = new Array(frames).fill(undefined);
  const arrivals: { seq: number; at: number }[] = [];
  const roundTrips: RoundTripRecord[] = [];
  world.addNode(RECEIVER, protocol('trace-receiver', () => new Receiver(durationMs, arrivedAt, arrivals, roundTrips)));
  world.addNode(SENDER, protocol('trace-sender', () => new Sender(frames, sentAt)));
  script?.(world);
  world.runUntilIdle();
  const packets = sentAt.map((t, seq) => ({ seq, sentAt: t, arrivedAt: arrivedAt[seq] }));
  return { name, seed, durationMs, packets, arrivals, roundTrips };
}

function climbTrace(seed: number, durationMs: number): PlayoutTrace {
  const draws = new RandomStreams(seed).stream('playout/climb-episodes');
  const episodes: TraceEpisode[] = [];
  const plans: { start: number; rampMs: number; holdMs: number; fMin: number }[] = [];
  for (let start = 4000 + draws.nextFloat() * 1000; start + 8000 < durationMs; start += 9000 + draws.nextFloat() * 1000) {
    const plan = { start: Math.round(start), rampMs: 2500 + draws.nextFloat() * 2000, holdMs: 1000 + draws.nextFloat() * 1500, fMin: 0.75 + draws.nextFloat() * 0.15 };
    plans.push(plan);
    episodes.push({ kind: 'climb', start: plan.start, end: Math.round(plan.start + plan.rampMs + plan.holdMs) });
  }
  const forward = (w: World, kbps: number) => w.setLink(SENDER, RECEIVER, { rateKbps: kbps }, { channel: 'media' });
  const recorded = run('climb', seed, durationMs, CLIMB_BASE, (world) => {
    world.setLink(SENDER, RECEIVER, { rateKbps: CLIMB_AMPLE_KBPS, queuePackets: 30 }, { channel: 'media' });
    for (const p of plans) {
      for (let t = 0; t < p.rampMs; t += 100) {
        const serviceMs = AMPLE_SERVICE_MS + (TRACE_FRAME_MS / p.fMin - AMPLE_SERVICE_MS) * (t / p.rampMs);
        world.at(p.start + t, (w) => forward(w, (AUDIO_PACKET_BYTES * 8) / serviceMs));
      }
      world.at(p.start + p.rampMs, (w) => forward(w, STREAM_KBPS * p.fMin));
      world.at(p.start + p.rampMs + p.holdMs, (w) => forward(w, CLIMB_AMPLE_KBPS));
    }
  });
  return { ...recorded, episodes };
}

function stallTrace(seed: number, durationMs: number): PlayoutTrace {
  const stall = { meanIntervalMs: 6000, meanDurationMs: 400 };
  const stalled = run('stall', seed, durationMs, 'wifi', (w) => w.setLink(SENDER, RECEIVER, { stall }, { channel: 'media' }));
  const natural = run('stall', seed, durationMs, 'wifi');
  const episodes: TraceEpisode[] = [];
  let current: { onset: number; release: number } | undefined;
  for (const p of stalled.packets) {
    const q = natural.packets[p.seq]!;
    if (p.arrivedAt === undefined || q.arrivedAt === undefined) continue;
    const held = p.arrivedAt > q.arrivedAt + 1e-6;
    if (held && current !== undefined && p.arrivedAt === current.release) continue;
    if (current !== undefined) episodes.push({ kind: 'stall', ...current });
    current = held ? { onset: q.arrivedAt, release: p.arrivedAt } : undefined;
  }
  if (current !== undefined) episodes.push({ kind: 'stall', ...current });
  return { ...stalled, episodes };
}

/** Sends frame n at n · 20 ms; answers probes at once. */
class Sender implements ProtocolNode<never, never> {
  private readonly outputs = new OutputQueue<NodeOutput<never>>();
  private seq = 0;

  constructor(
    private readonly frames: number,
    private readonly sentAt: number[],
  ) {}

  handle(input: NodeInput<never>): Outcome {
    if (input.type === 'start' || input.type === 'timer') {
      if (this.seq < this.frames) {
        this.sentAt.push(input.now);
        this.send(encode(FRAME, this.seq++, input.now), AUDIO_PACKET_BYTES);
        if (this.seq < this.frames) this.outputs.push({ type: 'setTimer', timer: 'frame', at: this.seq * TRACE_FRAME_MS });
      }
    } else if (input.type === 'receive') {
      const { kind, value, time } = decode(input.bytes);
      if (kind === PROBE) this.send(encode(ECHO, value, time), 24);
    }
    return OK;
  }

  pollOutput(): NodeOutput<never> | undefined {
    return this.outputs.poll();
  }

  private send(bytes: Uint8Array, size: number): void {
    const padded = new Uint8Array(size);
    padded.set(bytes);
    this.outputs.push({ type: 'send', to: RECEIVER, channel: 'media', bytes: padded });
  }
}

/** Records frame arrivals; probes the round trip every second. */
class Receiver implements ProtocolNode<never, never> {
  private readonly outputs = new OutputQueue<NodeOutput<never>>();
  private probes = 0;

  constructor(
    private readonly durationMs: number,
    private readonly arrivedAt: (number | undefined)[],
    private readonly arrivals: { seq: number; at: number }[],
    private readonly roundTrips: RoundTripRecord[],
  ) {}

  handle(input: NodeInput<never>): Outcome {
    if (input.type === 'start' || input.type === 'timer') {
      this.outputs.push({ type: 'send', to: SENDER, channel: 'media', bytes: encode(PROBE, this.probes++, input.now) });
      const next = this.probes * PROBE_INTERVAL_MS;
      if (next < this.durationMs) this.outputs.push({ type: 'setTimer', timer: 'probe', at: next });
    } else if (input.type === 'receive') {
      const { kind, value, time } = decode(input.bytes);
      if (kind === FRAME) {
        this.arrivals.push({ seq: value, at: input.now });
        if (this.arrivedAt[value] === undefined) this.arrivedAt[value] = input.now;
      } else if (kind === ECHO) {
        this.roundTrips.push({ at: input.now, rttMs: input.now - time });
      }
    }
    return OK;
  }

  pollOutput(): NodeOutput<never> | undefined {
    return this.outputs.poll();
  }
}

function encode(kind: number, value: number, time: number): Uint8Array {
  const bytes = new Uint8Array(13);
  const view = new DataView(bytes.buffer);
  view.setUint8(0, kind);
  view.setUint32(1, value);
  view.setFloat64(5, time);
  return bytes;
}

function decode(bytes: Uint8Array): { kind: number; value: number; time: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { kind: view.getUint8(0), value: view.getUint32(1), time: view.getFloat64(5) };
}

function protocol(name: string, create: () => ProtocolNode<never, never>): Protocol<never, never> {
  return { name, create };
}
