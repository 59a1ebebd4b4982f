/**
 * The playout controller's interface: one controller per incoming audio stream of 20 ms frames.
 *
 * Theory of operation (the driving contract of protocol/contract.ts, in small): the owner feeds one
 * `PlayoutInput` at a time with `handle`, then drains every `PlayoutOutput` with `pollOutput` until it
 * answers `undefined`. A controller does not keep an input once `handle` returns, so the owner may
 * refill one input object for the next; likewise the owner does not keep an output (nor the audio in
 * it) past the next `handle`, so a controller may refill its output records. All time is the receiver's local clock in ms, carried by the inputs.
 *   - `arrival`: a media packet arrived (its sequence number, its media timestamp, the local time);
 *   - `timeSync`: a round-trip sample from the time sync (and, when known, the sender's clock offset);
 *   - `tick`: the audio device wants the next 20 ms; the controller answers with exactly one `audio`
 *     output (a frame, concealment, a stretched frame, or silence before playout starts), preceded by
 *     any `discard` or `skip` it decided on for this tick.
 * Events (`degradationLikely`) come out as `event` outputs whenever they arise. Sequence numbers are
 * unwrapped integers (the wire codec unwraps RTP's 16-bit counter); `mediaMs` is the frame's capture
 * time in ms on the sender's media clock, so consecutive frames differ by `FRAME_MS`.
 *
 * Vocabulary: the playout *offset* of a frame is the local time it is played minus its `mediaMs`; a
 * controller keeps it constant while it plays frame after frame, raises it by one frame with a
 * `stretch` or an `expand` (the playout holds while the frame waits) and lowers it by discarding or
 * skipping frames. A frame *missing* at its playout time is concealed; if it arrives afterwards it is
 * *late* (late loss) and discarded.
 */
import type { Millis } from '../contract.ts';
import type { PlayoutStats } from './playout-stats.ts';

/** Duration of one audio frame (ms): G.711, one 20 ms frame per packet. */
export const FRAME_MS = 20;

/** Audio samples per second (G.711). */
export const SAMPLE_RATE_HZ = 8000;

/** Audio samples in one frame. */
export const SAMPLES_PER_FRAME = (SAMPLE_RATE_HZ * FRAME_MS) / 1000;

/** One input to a playout controller. */
export type PlayoutInput =
  /** A media packet arrived at local time `now`. */
  | { readonly type: 'arrival'; readonly now: Millis; readonly seq: number; readonly mediaMs: Millis }
  /**
   * A time-sync result: the round trip to the sender and, when the exchange measured it, the sender's
   * clock minus ours (`mediaMs − clockOffsetMs` is then the capture time on our clock).
   */
  | { readonly type: 'timeSync'; readonly now: Millis; readonly rttMs: Millis; readonly clockOffsetMs?: Millis }
  /** The playout clock ticked: decide what plays for the next `FRAME_MS`. */
  | { readonly type: 'tick'; readonly now: Millis };

/** What plays for one tick. */
export type TickAudio =
  /** Playout has not started (nothing arrived yet, or the controller is still prebuffering). */
  | { readonly type: 'silence' }
  /** Frame `seq` plays; it waited `waitedMs` in the buffer. */
  | { readonly type: 'play'; readonly seq: number; readonly mediaMs: Millis; readonly waitedMs: Millis }
  /** Frame `seq` is missing at its playout time: synthesized audio covers it and playout moves on. */
  | { readonly type: 'conceal'; readonly seq: number }
  /** Frame `seq` is missing and the playout waits for it: synthesized audio, the offset grows a frame. */
  | { readonly type: 'expand'; readonly seq: number }
  /** Frame `seq` is ready but held back one frame: time-stretched audio, the offset grows a frame. */
  | { readonly type: 'stretch'; readonly seq: number };

/** Why a received packet was not played. */
export type DiscardReason =
  /** It arrived after its playout time (late loss). */
  | 'late'
  /** The controller dropped it to bring the playout delay down. */
  | 'latency'
  /** The buffer was full and was flushed. */
  | 'overflow';

/** What a controller expects to go wrong. */
export type DegradationCause =
  /** The one-way delay (and so the round trip) is rising faster than the buffer's headroom allows. */
  | 'delay-rising'
  /** Packets stopped arriving: the path is stalled or in a long loss burst. */
  | 'stall';

/** An event a controller raises for the application. */
export type PlayoutEvent = {
  readonly type: 'degradationLikely';
  /** Local time of the warning. */
  readonly now: Millis;
  /** What the controller saw. */
  readonly cause: DegradationCause;
  /** When the controller expects late loss to start (ms from now), if it can say. */
  readonly expectedInMs?: Millis;
};

/** One output of a playout controller, drained after every input. */
export type PlayoutOutput =
  /** The tick's audio: exactly one per `tick` input. */
  | { readonly type: 'audio'; readonly now: Millis; readonly audio: TickAudio }
  /** A received packet that will not be played. */
  | { readonly type: 'discard'; readonly now: Millis; readonly seq: number; readonly reason: DiscardReason }
  /** A frame never received was passed over without a tick of its own (playout caught up over a gap). */
  | { readonly type: 'skip'; readonly now: Millis; readonly seq: number }
  /** An event for the application. */
  | { readonly type: 'event'; readonly event: PlayoutEvent };

/** A playout controller: the shared jitter buffer driven by one algorithm's policy. */
export interface PlayoutController {
  /** The algorithm's short name (`fixed-3`, `ramjee-1`, `ramjee-4`, `neteq`, `callsim`). */
  readonly algorithm: string;
  /** Feed one input (not kept once this returns). Never throws for any sequence of well-typed inputs. */
  handle(input: PlayoutInput): void;
  /** The next pending output, or `undefined` when drained (valid until the next `handle`). */
  pollOutput(): PlayoutOutput | undefined;
  /** The stream's counters so far (a fresh snapshot). */
  stats(): PlayoutStats;
  /** The delay the algorithm currently aims for (ms of buffering, as webrtc-stats' jitterBufferTargetDelay). */
  targetDelayMs(): number;
}
