/**
 * What a run sounded like: every stream's call quality, and the time sync's round trip against the
 * simulator's ground truth.
 *
 * Theory of operation: every `SAMPLE_EVERY_MS` of simulated time the observer asks each running node for
 * its media views (an untraced query, so the trace and its hash are unchanged) and keeps the latest view
 * of every stream (listener ← speaker), noting the streams whose speaker it saw muted (silence is not
 * loss: those are left out of the scores). Each round-trip estimate it sees is compared with the truth at
 * that moment, `World.trueRoundTripMs`: the recent mean of both directions' true one-way delays of the
 * pair's media link (errors relative to it, or to 1 ms on a near-perfect link). At the end, `report` scores each stream with the E-model (its last view's stats)
 * and summarises, for the run and for each call: lowest and median MOS, the worst stream, late loss,
 * warnings, the webrtc-stats counters summed over the call's streams, and (for the run) the round
 * trip's median, 95th-percentile and largest error.
 */
import type { MediaView } from '../protocol/api.ts';
import type { PeerId } from '../protocol/contract.ts';
import { streamQuality, type PlayoutStats } from '../protocol/media/index.ts';
import type { Session } from './session.ts';

/** How often the observer samples the media views (simulated ms). */
export const SAMPLE_EVERY_MS = 1000;

/** Round-trip errors are relative to the truth, or to this when the truth is shorter (a perfect link's 0 ms). */
export const MIN_TRUTH_MS = 1;

/** One stream's score. */
export interface StreamScore {
  /** The node that played the stream. */
  readonly listener: PeerId;
  /** The node that sent it. */
  readonly speaker: PeerId;
  /** E-model mean opinion score (G.711 with PLC). */
  readonly mos: number;
  /** Frames due but not played (%). */
  readonly lossPercent: number;
  /** Mean playout delay, capture to play (ms). */
  readonly meanPlayoutDelayMs: number;
}

/** webrtc-stats counters summed over streams. */
export interface StreamTotals {
  readonly packetsReceived: number;
  readonly packetsLost: number;
  readonly packetsDiscarded: number;
  readonly concealedSamples: number;
  readonly concealmentEvents: number;
  readonly jitterBufferDelay: number;
  readonly jitterBufferEmittedCount: number;
}

/** The audio of one call (streams of the same call, as their listeners saw it). */
export interface CallAudio {
  /** The call's label in the scenario (c1, c2, …). */
  readonly call: string;
  /** Streams scored. */
  readonly streams: number;
  /** Lowest MOS over the call's streams. */
  readonly mosMin: number;
  /** Median MOS over them. */
  readonly mosMedian: number;
  /** Their webrtc-stats counters, summed. */
  readonly totals: StreamTotals;
}

/** How far the time sync's round-trip estimates were from the truth. */
export interface RoundTripError {
  /** Estimates compared. */
  readonly samples: number;
  /** Median error, relative to the truth (%). */
  readonly medianErrorPercent: number;
  /** 95th-percentile error (%). */
  readonly p95ErrorPercent: number;
  /** Largest error (ms). */
  readonly maxErrorMs: number;
}

/** The audio of one run. */
export interface AudioReport {
  /** Streams scored: frames were due and the speaker was never seen muted. */
  readonly streams: number;
  /** Streams left out because their speaker muted (a muted stream's silence would count as loss). */
  readonly mutedStreams: number;
  /** Lowest MOS over the streams. */
  readonly mosMin: number;
  /** Median MOS over the streams. */
  readonly mosMedian: number;
  /** The stream with the lowest MOS. */
  readonly worst: StreamScore;
  /** Frames that arrived after their playout time, over all frames due (%). */
  readonly lateLossPercent: number;
  /** Degradation warnings raised, all streams. */
  readonly warnings: number;
  /** Per call. */
  readonly calls: readonly CallAudio[];
  /** The time sync's round-trip estimates against the true mean round trip; undefined when none was made. */
  readonly rtt: RoundTripError | undefined;
}

/** Samples a session's media views as it runs. */
export class AudioObserver {
  private readonly latest = new Map<string, { readonly call: string; readonly listener: PeerId; readonly view: MediaView }>();
  private readonly muted = new Set<string>();
  private readonly errorsMs: number[] = [];
  private readonly errorsPercent: number[] = [];

  /** Sample `session` every second from now until `untilMs`. */
  constructor(
    private readonly session: Session,
    untilMs: number,
  ) {
    const world = session.world;
    for (let t = world.now + SAMPLE_EVERY_MS; t <= untilMs; t += SAMPLE_EVERY_MS) world.at(t, () => this.sample());
  }

  /** The run's audio so far; undefined when no stream had frames due. */
  report(): AudioReport | undefined {
    const scored: { readonly call: string; readonly score: StreamScore; readonly stats: PlayoutStats; readonly warnings: number }[] = [];
    for (const [key, { call, listener, view }] of this.latest) {
      if (this.muted.has(key)) continue;
      const stats = view.stats as PlayoutStats | undefined; // a protocol of someone else's may leave it out
      if (stats === undefined || !(stats.framesDue > 0)) continue;
      const quality = streamQuality(stats);
      scored.push({ call, stats, warnings: view.degradationWarnings, score: { listener, speaker: view.peer, mos: quality.mos, lossPercent: quality.lossPercent, meanPlayoutDelayMs: stats.meanPlayoutDelayMs } });
    }
    if (scored.length === 0) return undefined;
    const byMos = [...scored].sort((a, b) => a.score.mos - b.score.mos);
    const due = sum(scored, (s) => s.stats.framesDue);
    const errorsPercent = sorted(this.errorsPercent);
    const labels = new Map([...new Set(scored.map((s) => s.call))].map((id) => [id, this.session.label(id)]));
    const calls = [...labels].sort(([, a], [, b]) => (a < b ? -1 : 1)).map(([id, call]): CallAudio => {
      const streams = byMos.filter((s) => s.call === id);
      return { call, streams: streams.length, mosMin: streams[0]!.score.mos, mosMedian: quantile(streams.map((s) => s.score.mos), 0.5), totals: totals(streams.map((s) => s.stats)) };
    });
    return {
      streams: scored.length,
      mutedStreams: [...this.latest.keys()].filter((k) => this.muted.has(k)).length,
      mosMin: byMos[0]!.score.mos,
      mosMedian: quantile(byMos.map((s) => s.score.mos), 0.5),
      worst: byMos[0]!.score,
      lateLossPercent: (100 * sum(scored, (s) => s.stats.packetsLate)) / due,
      warnings: sum(scored, (s) => s.warnings),
      calls,
      rtt:
        this.errorsMs.length === 0
          ? undefined
          : { samples: this.errorsMs.length, medianErrorPercent: quantile(errorsPercent, 0.5), p95ErrorPercent: quantile(errorsPercent, 0.95), maxErrorMs: Math.max(...this.errorsMs) },
    };
  }

  private sample(): void {
    const { session } = this;
    for (const listener of session.peers) {
      const active = session.views(listener).find((v) => v.active);
      const call = active?.callId ?? '?'; // labelled at the end: labelling now could renumber the script's calls
      const mutedPeers = new Set(active?.participants.filter((p) => p.muted).map((p) => p.peer));
      for (const view of session.media(listener)) {
        const key = `${call}|${listener}<${view.peer}`;
        this.latest.set(key, { call, listener, view });
        if (mutedPeers.has(view.peer)) this.muted.add(key);
        const truth = session.world.trueRoundTripMs(listener, view.peer);
        if (view.rttMs === undefined || truth === undefined) continue;
        const error = Math.abs(view.rttMs - truth);
        this.errorsMs.push(error);
        this.errorsPercent.push((100 * error) / Math.max(truth, MIN_TRUTH_MS));
      }
    }
  }
}

/** One line for a report table: `MOS 4.35 (min 4.12) · rtt ±1.2 %`. */
export function audioSummary(audio: AudioReport | undefined): string {
  if (audio === undefined) return '-';
  const rtt = audio.rtt === undefined ? '' : ` · rtt ±${audio.rtt.medianErrorPercent.toFixed(1)} %`;
  return `MOS ${audio.mosMedian.toFixed(2)} (min ${audio.mosMin.toFixed(2)})${rtt}`;
}

/** The webrtc-stats counters of `stats`, summed. */
function totals(stats: readonly PlayoutStats[]): StreamTotals {
  return {
    packetsReceived: sum(stats, (s) => s.packetsReceived),
    packetsLost: sum(stats, (s) => s.packetsLost),
    packetsDiscarded: sum(stats, (s) => s.packetsDiscarded),
    concealedSamples: sum(stats, (s) => s.concealedSamples),
    concealmentEvents: sum(stats, (s) => s.concealmentEvents),
    jitterBufferDelay: sum(stats, (s) => s.jitterBufferDelay),
    jitterBufferEmittedCount: sum(stats, (s) => s.jitterBufferEmittedCount),
  };
}

function sum<T>(items: readonly T[], of: (item: T) => number): number {
  let total = 0;
  for (const item of items) total += of(item);
  return total;
}

function sorted(values: readonly number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

/** Nearest-rank quantile of sorted values. */
function quantile(sortedValues: readonly number[], q: number): number {
  return sortedValues[Math.min(sortedValues.length - 1, Math.max(0, Math.ceil(q * sortedValues.length) - 1))]!;
}
