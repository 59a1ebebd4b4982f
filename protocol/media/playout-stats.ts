/**
 * Per-stream playout metrics: the counters a jitter buffer keeps, named as W3C webrtc-stats name them
 * where a name exists, our own where none does, and the stream's E-model score.
 *
 * Theory of operation: the jitter-buffer core reports every arrival and every frame whose playout time
 * passes to a `PlayoutStatsRecorder`; `stats()` takes a snapshot. webrtc-stats conventions are kept:
 * sample counts are in samples, `jitterBufferDelay` and `jitterBufferTargetDelay` are sums in seconds
 * over emitted samples (divide by `jitterBufferEmittedCount` for a mean), `packetsLost` is expected
 * minus received (duplicates included), `packetsDiscarded` counts received packets never played (late,
 * dropped for latency, flushed). Our additions: late loss, the mean playout delay (capture to playout,
 * on the receiver's clock: frames played before the time sync first measured the sender's clock offset
 * are put on it then), the played / not-played pattern of the frames in sequence order (for the
 * E-model's BurstR), and the degradation warnings with their lead time. `streamQuality` turns a
 * snapshot into R and MOS with one-way delay = mean playout delay + `FRAME_ALLOWANCE_MS` (the 20 ms a
 * frame takes to capture and encode before it is sent) and loss = frames not played / frames due.
 */
import type { Millis } from '../contract.ts';
import type { DegradationSummary } from './degradation-ledger.ts';
import { mosFromR, rFactor } from './emodel.ts';
import { LossPattern } from './loss-pattern.ts';
import { SAMPLES_PER_FRAME } from './playout.ts';

/** Frame and codec delay added to the playout delay for the E-model's mouth-to-ear delay (ms). */
export const FRAME_ALLOWANCE_MS = 20;

/** A stream's counters at one moment. */
export interface PlayoutStats {
  /** webrtc-stats: packets received, duplicates included. */
  readonly packetsReceived: number;
  /** webrtc-stats: packets expected (highest − first sequence number + 1) minus packets received. */
  readonly packetsLost: number;
  /** webrtc-stats: received packets never played: late, dropped for latency, or flushed. */
  readonly packetsDiscarded: number;
  /** webrtc-stats: samples synthesized in place of missing audio (conceal and expand ticks). */
  readonly concealedSamples: number;
  /** webrtc-stats: runs of concealed samples that followed non-concealed ones. */
  readonly concealmentEvents: number;
  /** webrtc-stats: samples added by slowing playout down (stretch ticks). */
  readonly insertedSamplesForDeceleration: number;
  /** webrtc-stats: samples removed to speed playout up (frames dropped for latency). */
  readonly removedSamplesForAcceleration: number;
  /** webrtc-stats: sum over emitted samples of their time in the buffer, arrival to playout (s). */
  readonly jitterBufferDelay: number;
  /** webrtc-stats: sum over emitted samples of the target delay when they were emitted (s). */
  readonly jitterBufferTargetDelay: number;
  /** webrtc-stats: samples that came out of the buffer (played frames). */
  readonly jitterBufferEmittedCount: number;
  /** Duplicate packets (already received), ignored. */
  readonly packetsDuplicated: number;
  /** Late loss: packets that arrived after their playout time. */
  readonly packetsLate: number;
  /** Packets dropped by the controller to bring the playout delay down. */
  readonly packetsDroppedForLatency: number;
  /** Packets flushed because the buffer was full. */
  readonly packetsFlushed: number;
  /** Frames whose playout time has passed (played or not). */
  readonly framesDue: number;
  /** Frames played. */
  readonly framesPlayed: number;
  /** Mean capture-to-playout delay of played frames on the receiver's clock (ms); 0 before any. */
  readonly meanPlayoutDelayMs: number;
  /** Frames due, in sequence order, that were not played right after one that was. */
  readonly lossStarts: number;
  /** Frames due, in sequence order, that were played right after one that was not. */
  readonly lossEnds: number;
  /** Degradation warnings, late-loss onsets and the warnings' lead time. */
  readonly degradation: DegradationSummary;
}

/** A stream's E-model score. */
export interface StreamQuality {
  /** Mouth-to-ear delay used (ms): mean playout delay + `FRAME_ALLOWANCE_MS`. */
  readonly oneWayDelayMs: number;
  /** Frames due but not played, in percent. */
  readonly lossPercent: number;
  /** BurstR of the not-played pattern (at least 1). */
  readonly burstR: number;
  /** E-model rating. */
  readonly r: number;
  /** Mean opinion score. */
  readonly mos: number;
}

/**
 * R and MOS of a stream. BurstR comes from a 2-state Markov fit of the not-played pattern
 * (p = lossStarts / frames played, r = lossEnds / frames not played), clamped to at least 1 so that
 * spreading losses out is never scored better than random loss.
 */
export function streamQuality(stats: PlayoutStats): StreamQuality {
  const due = stats.framesDue;
  const missed = due - stats.framesPlayed;
  const lossPercent = due === 0 ? 0 : (100 * missed) / due;
  const pattern = Object.assign(new LossPattern(), { played: stats.framesPlayed, missed, starts: stats.lossStarts, ends: stats.lossEnds });
  const burstR = pattern.burstR();
  const oneWayDelayMs = stats.meanPlayoutDelayMs + FRAME_ALLOWANCE_MS;
  const rating = rFactor({ delayMs: oneWayDelayMs, lossPercent, burstR });
  return { oneWayDelayMs, lossPercent, burstR, r: rating, mos: mosFromR(rating) };
}

/** The mutable counters behind `PlayoutStats`, fed by the jitter-buffer core. */
export class PlayoutStatsRecorder {
  private received = 0;
  private duplicated = 0;
  private late = 0;
  private droppedForLatency = 0;
  private flushed = 0;
  private firstSeq: number | undefined;
  private highestSeq: number | undefined;
  private concealed = 0;
  private concealmentEvents = 0;
  private inserted = 0;
  private bufferDelaySamplesMs = 0;
  private targetDelaySamplesMs = 0;
  private emitted = 0;
  private readonly pattern = new LossPattern();
  /** Capture-to-playout delays of played frames on our clock, once the sender's clock offset is known. */
  private playoutDelaySum = 0;
  /** Sender's clock minus ours (ms), once a time sync measured it. */
  private clockOffsetMs: number | undefined;
  /** Frames played before the offset was known: their delays on the two raw clocks, summed (the first offset corrects them). */
  private unanchoredDelaySum = 0;
  private unanchored = 0;
  private lastTickConcealed = false;

  /** A packet arrived; `duplicate` when it was already received. */
  arrival(seq: number, duplicate: boolean): void {
    this.received++;
    if (duplicate) {
      this.duplicated++;
      return;
    }
    if (this.firstSeq === undefined || seq < this.firstSeq) this.firstSeq = seq;
    if (this.highestSeq === undefined || seq > this.highestSeq) this.highestSeq = seq;
  }

  /** A received packet was discarded, for `reason`. */
  discarded(reason: 'late' | 'latency' | 'overflow'): void {
    if (reason === 'late') this.late++;
    else if (reason === 'latency') this.droppedForLatency++;
    else this.flushed++;
  }

  /** A frame's playout time passed; `played` when it was played, with its delays. */
  frameDue(played: boolean): void {
    this.pattern.note(played);
  }

  /** A frame played: `waitedMs` in the buffer, `sinceCaptureMs` = playout time − media time (our clock − the sender's), `targetMs` aimed for. */
  emit(waitedMs: Millis, sinceCaptureMs: Millis, targetMs: Millis): void {
    this.emitted += SAMPLES_PER_FRAME;
    this.bufferDelaySamplesMs += waitedMs * SAMPLES_PER_FRAME;
    this.targetDelaySamplesMs += targetMs * SAMPLES_PER_FRAME;
    if (this.clockOffsetMs !== undefined) {
      this.playoutDelaySum += sinceCaptureMs + this.clockOffsetMs;
    } else {
      this.unanchoredDelaySum += sinceCaptureMs;
      this.unanchored++;
    }
  }

  /** A time sync measured the sender's clock minus ours: the frames played before the first one are put on our clock with it. */
  clockOffset(offsetMs: Millis): void {
    if (this.clockOffsetMs === undefined) {
      this.playoutDelaySum += this.unanchoredDelaySum + this.unanchored * offsetMs;
      this.unanchoredDelaySum = 0;
      this.unanchored = 0;
    }
    this.clockOffsetMs = offsetMs;
  }

  /** A tick's audio: `concealed` when it was synthesized in place of missing audio, `stretched` when time-stretched. */
  tick(concealed: boolean, stretched: boolean): void {
    if (concealed) {
      this.concealed += SAMPLES_PER_FRAME;
      if (!this.lastTickConcealed) this.concealmentEvents++;
    }
    if (stretched) this.inserted += SAMPLES_PER_FRAME;
    this.lastTickConcealed = concealed;
  }

  /** A snapshot, with the ledger's degradation summary. */
  snapshot(degradation: DegradationSummary): PlayoutStats {
    const expected = this.firstSeq === undefined ? 0 : this.highestSeq! - this.firstSeq + 1;
    const emittedFrames = this.emitted / SAMPLES_PER_FRAME;
    return {
      packetsReceived: this.received,
      packetsLost: expected - this.received,
      packetsDiscarded: this.late + this.droppedForLatency + this.flushed,
      concealedSamples: this.concealed,
      concealmentEvents: this.concealmentEvents,
      insertedSamplesForDeceleration: this.inserted,
      removedSamplesForAcceleration: this.droppedForLatency * SAMPLES_PER_FRAME,
      jitterBufferDelay: this.bufferDelaySamplesMs / 1000,
      jitterBufferTargetDelay: this.targetDelaySamplesMs / 1000,
      jitterBufferEmittedCount: this.emitted,
      packetsDuplicated: this.duplicated,
      packetsLate: this.late,
      packetsDroppedForLatency: this.droppedForLatency,
      packetsFlushed: this.flushed,
      framesDue: this.pattern.played + this.pattern.missed,
      framesPlayed: this.pattern.played,
      // with no offset ever measured the clocks are taken to agree
      meanPlayoutDelayMs: emittedFrames === 0 ? 0 : (this.playoutDelaySum + this.unanchoredDelaySum) / emittedFrames,
      lossStarts: this.pattern.starts,
      lossEnds: this.pattern.ends,
      degradation,
    };
  }
}
