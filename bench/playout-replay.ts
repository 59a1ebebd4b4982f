/**
 * Replays a packet trace through one playout controller, as a receiver would drive it, and records the
 * fate of every frame.
 *
 * Theory of operation: the trace's arrivals and round trips and a playout tick every 20 ms (phase
 * `TICK_PHASE_MS`, halfway between two sends) are merged in time order, arrivals and round trips
 * first at equal times (a packet that arrives exactly at a tick is in time for it). The controller's
 * outputs are drained after each input. A frame's fate is `played` (with its playout time), `late`
 * (missing at its playout time, arrived afterwards), `lost` (never arrived), `discarded` (dropped for
 * latency or flushed), or `pending` if the replay ended first; ticks go on until every frame's playout
 * time has passed. Each tick's playout offset (tick time − send time of the frame it concerns) is kept
 * for the warning evaluation. The receiver's clock is the world clock, so send time = media time and
 * playout delay = playout time − send time exactly.
 */
import type { PlayoutAlgorithm } from '../protocol/media/index.ts';
import type { DegradationCause, PlayoutStats, StreamQuality } from '../protocol/media/index.ts';
import { streamQuality } from '../protocol/media/index.ts';
import { assertNever } from '../protocol/contract.ts';
import { TRACE_FRAME_MS, type PlayoutTrace } from './playout-traces.ts';

/** Tick phase: ticks at 10, 30, 50 … ms, halfway between sends. */
export const TICK_PHASE_MS = 10;

/** What became of one frame. */
export type FrameFate = 'played' | 'late' | 'lost' | 'discarded' | 'pending';

/** A warning the controller raised. */
export interface WarningRecord {
  /** When (ms). */
  readonly at: number;
  /** Why. */
  readonly cause: DegradationCause;
}

/** The result of one replay. */
export interface ReplayResult {
  /** The algorithm's name. */
  readonly algorithm: string;
  /** Fate of every frame, by sequence number. */
  readonly fates: readonly FrameFate[];
  /** Playout time of played frames (NaN otherwise), by sequence number. */
  readonly playedAt: Float64Array;
  /** Tick times. */
  readonly tickAt: Float64Array;
  /** Playout offset at each tick (NaN before playout starts). */
  readonly tickOffset: Float64Array;
  /** Warnings, in time order. */
  readonly warnings: readonly WarningRecord[];
  /** The controller's counters at the end. */
  readonly stats: PlayoutStats;
  /** The stream's E-model score. */
  readonly quality: StreamQuality;
  /** Figures for the table. */
  readonly summary: ReplaySummary;
}

/** The table's figures of one replay. */
export interface ReplaySummary {
  /** Frames sent. */
  readonly frames: number;
  /** Late loss: frames that arrived after their playout time, in % of frames sent. */
  readonly lateLossPercent: number;
  /** Frames discarded by the controller (latency and flushes). */
  readonly discards: number;
  /** Frames not played for any reason (lost, late, discarded), in % of frames sent. */
  readonly notPlayedPercent: number;
  /** Mean playout delay (send to playout) of played frames (ms). */
  readonly meanDelayMs: number;
  /** webrtc-stats concealmentEvents. */
  readonly concealmentEvents: number;
  /** E-model R. */
  readonly r: number;
  /** Mean opinion score. */
  readonly mos: number;
}

/** A controller broke the playout interface during a replay (threw, or answered a tick with other than one audio output): which, where, and how. */
export class PlayoutContractError extends Error {
  override readonly name = 'PlayoutContractError';
}

/**
 * Replay `trace` through a fresh controller of `algorithm`; a controller that throws, or answers a tick
 * with other than exactly one audio output, is refused with a `PlayoutContractError` naming the
 * algorithm, the trace and the time.
 */
export function replay(trace: PlayoutTrace, algorithm: PlayoutAlgorithm): ReplayResult {
  let now = 0;
  try {
    return replayThrough(trace, algorithm, (t) => (now = t));
  } catch (error) {
    const what = error instanceof PlayoutContractError ? error.message : `threw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`;
    throw new PlayoutContractError(`playout ${algorithm.name}, on trace ${trace.name} seed ${trace.seed} at ${now} ms: ${what}`);
  }
}

function replayThrough(trace: PlayoutTrace, algorithm: PlayoutAlgorithm, at: (now: number) => void): ReplayResult {
  const controller = algorithm.create();
  const n = trace.packets.length;
  const fates: FrameFate[] = trace.packets.map((p) => (p.arrivedAt === undefined ? 'lost' : 'pending'));
  const playedAt = new Float64Array(n).fill(NaN);
  const lastSlot = n === 0 ? 0 : trace.packets[n - 1]!.sentAt;
  const lastArrival = trace.arrivals.reduce((m, a) => Math.max(m, a.at), 0);
  const end = Math.max(lastArrival, lastSlot) + 10_000;
  const ticks = Math.ceil((end - TICK_PHASE_MS) / TRACE_FRAME_MS);
  const tickAt = new Float64Array(ticks);
  const tickOffset = new Float64Array(ticks).fill(NaN);
  const warnings: WarningRecord[] = [];
  let ai = 0;
  let ri = 0;
  let tick = 0;
  let resolvedUpTo = 0;
  let audioOutputs = 0;
  const drain = (): void => {
    for (let out = controller.pollOutput(); out !== undefined; out = controller.pollOutput()) {
      switch (out.type) {
        case 'audio': {
          audioOutputs++;
          const a = out.audio;
          tickAt[tick] = out.now;
          if (a.type === 'silence' || a.seq >= n) break;
          tickOffset[tick] = out.now - trace.packets[a.seq]!.sentAt;
          if (a.type === 'play') {
            fates[a.seq] = 'played';
            playedAt[a.seq] = out.now;
          }
          if (a.type === 'play' || a.type === 'conceal') resolvedUpTo = Math.max(resolvedUpTo, a.seq + 1);
          break;
        }
        case 'discard':
          fates[out.seq] = out.reason === 'late' ? 'late' : 'discarded';
          if (out.reason !== 'late') resolvedUpTo = Math.max(resolvedUpTo, out.seq + 1);
          break;
        case 'skip':
          resolvedUpTo = Math.max(resolvedUpTo, out.seq + 1);
          break;
        case 'event':
          warnings.push({ at: out.event.now, cause: out.event.cause });
          break;
        default:
          assertNever(out);
      }
    }
  };
  for (; tick < ticks && resolvedUpTo < n; tick++) {
    const now = TICK_PHASE_MS + tick * TRACE_FRAME_MS;
    for (;;) {
      const a = trace.arrivals[ai];
      const r = trace.roundTrips[ri];
      if (a !== undefined && a.at <= now && (r === undefined || a.at <= r.at)) {
        at(a.at);
        controller.handle({ type: 'arrival', now: a.at, seq: a.seq, mediaMs: trace.packets[a.seq]!.sentAt });
        ai++;
      } else if (r !== undefined && r.at <= now) {
        at(r.at);
        controller.handle({ type: 'timeSync', now: r.at, rttMs: r.rttMs });
        ri++;
      } else {
        break;
      }
      drain();
    }
    at(now);
    audioOutputs = 0;
    controller.handle({ type: 'tick', now });
    drain();
    if (audioOutputs !== 1) throw new PlayoutContractError(`a tick gave ${audioOutputs} audio outputs (the interface wants exactly one)`);
  }
  // frames still missing at the end whose packet arrives later are late; the rest stay as recorded
  for (; ai < trace.arrivals.length; ai++) {
    const a = trace.arrivals[ai]!;
    at(a.at);
    controller.handle({ type: 'arrival', now: a.at, seq: a.seq, mediaMs: trace.packets[a.seq]!.sentAt });
    drain();
  }
  const stats = controller.stats();
  const quality = streamQuality(stats);
  return { algorithm: algorithm.name, fates, playedAt, tickAt: tickAt.subarray(0, tick), tickOffset: tickOffset.subarray(0, tick), warnings, stats, quality, summary: summarize(trace, fates, playedAt, stats, quality) };
}

function summarize(trace: PlayoutTrace, fates: readonly FrameFate[], playedAt: Float64Array, stats: PlayoutStats, quality: StreamQuality): ReplaySummary {
  const n = fates.length;
  let late = 0;
  let discarded = 0;
  let played = 0;
  let delay = 0;
  for (let seq = 0; seq < n; seq++) {
    const fate = fates[seq]!;
    if (fate === 'late') late++;
    else if (fate === 'discarded') discarded++;
    else if (fate === 'played') {
      played++;
      delay += playedAt[seq]! - trace.packets[seq]!.sentAt;
    }
  }
  return {
    frames: n,
    lateLossPercent: (100 * late) / n,
    discards: discarded,
    notPlayedPercent: (100 * (n - played)) / n,
    meanDelayMs: played === 0 ? 0 : delay / played,
    concealmentEvents: stats.concealmentEvents,
    r: quality.r,
    mos: quality.mos,
  };
}
