/**
 * Our playout controller ("callsim"): the playout delay that maximizes the E-model score, placed on
 * the delay curve by the round trip; hold-then-catch-up mechanics; warnings from the delay trend.
 *
 * Theory of operation.
 *   1. Delays. Every arrival (late ones too) gives r = arrival − media time: the one-way delay plus a
 *      constant clock offset. `DelayRegime` keeps a 60 s window of the stationary distribution of r,
 *      clean of climbs, and says whether the delay is rising out of it.
 *   2. Where the stream sits on the E-model's delay curve. The true one-way delay is r + (sender clock
 *      − ours); the time sync gives that offset when it measured one, else the round trip does: the
 *      fastest packet's one-way delay is taken as half the smallest round trip. This is how the round
 *      trip sizes the buffer: 20 ms more buffering costs 0.48 R below 177 ms of mouth-to-ear delay but
 *      2.68 R above it, so a far peer gets a tighter buffer than a near one on the same jitter.
 *   3. Target. On the tick grid, the playout offset O that maximizes
 *      R(one-way(O) + 20 ms, network loss + fraction of the window later than O − 5 ms, BurstR) is the
 *      target: the 5 ms margin because the next delays scatter a little wider than any window, BurstR
 *      from the stream's own played / not-played pattern (stall losses come in runs, which the E-model
 *      charges more for). Plans of over 50 % late loss are not considered (the E-model would rather drop
 *      nearly all audio than wait 900 ms). The current target wins ties within 0.2 R (no flapping).
 *      Offsets are tried upwards, until even no late loss at all could not beat the best one found.
 *      The target is refreshed every 200 ms, and at the next tick after a delay late for it.
 *      A young stream's stalls count in part: the samples a stall released (the packet that ended a
 *      silence longer than the stream's usual gaps, and those that came with it) weigh in the late
 *      fraction in proportion to the stream's age, fully from 30 s on. One stall in the first seconds
 *      says little about how often they come, yet its 20 frames are a large share of a young window:
 *      counted in full, the target would wait for the next one, at 500 ms or more, for seconds.
 *      While the delay is rising the target also covers the largest r of the last 200 ms plus the
 *      floor's trend over the next 200 ms (no more than the largest r rose over the last 200 ms):
 *      playout follows a climb by stretching ahead of it.
 *   4. Mechanics, per tick, with O the offset at which the cursor frame would play now:
 *      - frame there: O at least a frame above the target → drop the excess frames at once, as far as
 *        frames are there to play after them (after a burst, latency comes straight back down: this is
 *        how many to discard); a one-frame excess left by a target that moved down waits 2 s to prove
 *        itself; O half a frame or more below the target → stretch; else play;
 *      - frame missing, a later one queued (lost, or overtaken): skip it for free if O is above the
 *        target, expand (wait for it) if O is half a frame or more below, else conceal it;
 *      - nothing queued (the stream is late, not lost: a spike, a climb, a stall): hold (expand)
 *        rather than conceal frames that will come, for up to 3 s above the target. A stall then costs
 *        the frames the excess drop takes, no more than concealing would have; a climb costs none.
 *      The buffer holds 500 frames (10 s) before NetEQ's overflow rule flushes it.
 *   5. Warnings come from `DegradationWatch`: the floor's trend, once it leaves its usual range, against a
 *      playout that would not react; the round trip; silences that look like held packets, not lost ones.
 */
import type { Millis } from '../contract.ts';
import { DegradationWatch, type DegradationWatchOptions } from './degradation-watch.ts';
import { DelayRegime } from './delay-regime.ts';
import { delayImpairment, lossImpairment, R0, rating } from './emodel.ts';
import { ADVANCE, drop, HOLD, JitterBuffer, type ArrivalNote, type BufferView, type PlayoutPolicy, type TickPlan, type TimeSyncNote } from './jitter-buffer.ts';
import { LossPattern } from './loss-pattern.ts';
import { FRAME_MS, type PlayoutController, type PlayoutEvent, type TickAudio } from './playout.ts';
import { FRAME_ALLOWANCE_MS } from './playout-stats.ts';

/** Settings of our controller. */
export interface CallsimPlayoutOptions {
  /** Span of the stationary delay window (ms). Default 60 000. */
  readonly windowMs?: number;
  /** One-way delay assumed for the fastest packet before any round trip is known (ms). Default 50. */
  readonly assumedOneWayMs?: number;
  /** Longest the playout holds through a silence, above its target, before concealing instead (ms). Default 3000. */
  readonly maxWaitMs?: number;
  /** Tuning of the degradation predictor. */
  readonly watch?: DegradationWatchOptions;
}

/** Most late loss a target may plan for (fraction). */
const MAX_LATE_FRACTION = 0.5;

/** A sample this close under a candidate offset counts as late (ms). */
const SAFETY_MARGIN_MS = 5;

/** How long a one-frame excess over the target must last before a frame is dropped for it (ms). */
const EXCESS_PATIENCE_MS = 2000;

/** How much better (in R) another offset must be before the target leaves the current one. */
const TARGET_STICKINESS_R = 0.2;

/** How often the stationary target is recomputed (ms). */
const TARGET_REFRESH_MS = 200;

/** Most frames of one sequence gap the loss rate is updated for, one by one (500 × 20: it is 1 to within e^−20 by then). */
const LOSS_GAP_CAP = 10_000;

/** Samples needed before the E-model target replaces the start-up rule (cover every delay seen). */
const MIN_SAMPLES = 25;

/** The callsim playout policy. */
class CallsimPolicy implements PlayoutPolicy {
  readonly name = 'callsim';
  readonly capacityPackets = 500;
  private readonly delays: DelayRegime;
  private readonly watch: DegradationWatch;
  private readonly losses = new LossPattern();
  private readonly assumedOneWayMs: number;
  private readonly maxWaitMs: number;
  private clockOffsetMs: number | undefined;
  private lossRate = 0;
  private newest: number | undefined;
  /** The target and the playout offset as of the last tick (plain numbers, stored every tick without boxing; no target before `targeted`). */
  private targeted = false;
  private target = 0;
  private offset = 0;
  private excessSince: Millis | undefined;
  private lastExpandAt = -Infinity;
  /** The cached stationary target (valid while `cached`): when and on which grid it was computed, and the window's min then (kept when stale). */
  private cached = false;
  private cachedAt: Millis = 0;
  private cachedOffset = 0;
  private cachedTarget = 0;
  private cachedMinR: number | undefined;

  constructor(options: CallsimPlayoutOptions) {
    this.delays = new DelayRegime(options.windowMs ?? 60_000);
    this.assumedOneWayMs = options.assumedOneWayMs ?? 50;
    this.maxWaitMs = options.maxWaitMs ?? 3000;
    this.watch = new DegradationWatch(options.watch);
  }

  arrived(_view: BufferView, note: ArrivalNote): void {
    const r = note.now - note.mediaMs;
    this.noteLoss(note.seq);
    this.watch.arrival(note.now, note.seq, r);
    this.delays.add(note.now, r, this.watch.risingSlope);
    // a delay late for the target can move the optimum up at once (a stall's burst): recompute at the
    // next tick (an earlier one only makes lower offsets worse, or drifts it down: the refresh sees to that)
    if (this.cached && r > this.cachedTarget - SAFETY_MARGIN_MS) this.cached = false;
  }

  timeSynced(_view: BufferView, note: TimeSyncNote): void {
    if (note.clockOffsetMs !== undefined) this.clockOffsetMs = note.clockOffsetMs;
    this.watch.roundTrip(note.now, note.rttMs);
  }

  decide(view: BufferView): TickPlan {
    const cursor = view.cursor!;
    const offset = view.now - view.mediaOf(cursor);
    const target = (this.target = this.targetOffset(offset, view.now));
    this.targeted = true;
    const plan = this.plan(view, cursor, offset, target);
    this.offset = plan.type === 'hold' ? offset + FRAME_MS : plan.type === 'drop' ? offset - plan.count * FRAME_MS : offset;
    return plan;
  }

  ticked(view: BufferView, audio: TickAudio, passedOver: number): void {
    this.watch.tick(view.now, audio.type === 'silence' ? undefined : this.offset);
    for (let i = 0; i < passedOver; i++) this.losses.note(false);
    if (audio.type === 'play' || audio.type === 'conceal') this.losses.note(audio.type === 'play');
  }

  targetDelayMs(): number {
    // the window's min as of the last computation: an arrival that marks the cache stale between ticks
    // does not make the target unknown
    const min = this.cachedMinR;
    return !this.targeted || min === undefined ? 0 : Math.max(0, this.target - min);
  }

  pollEvent(): PlayoutEvent | undefined {
    return this.watch.pollEvent();
  }

  private plan(view: BufferView, cursor: number, offset: number, target: number): TickPlan {
    const excessFrames = Math.floor((offset - target) / FRAME_MS + 1e-9);
    if (!view.started) return view.frame(cursor) !== undefined && excessFrames >= 0 ? ADVANCE : HOLD;
    if (excessFrames < 1) this.excessSince = undefined;
    else this.excessSince ??= view.now;
    const settled = excessFrames >= 2 || view.now - this.lastExpandAt <= 1000 || view.now - this.excessSince! >= EXCESS_PATIENCE_MS;
    if (view.frame(cursor) !== undefined) {
      let k = settled ? excessFrames : 0;
      while (k > 0 && view.frame(cursor + k) === undefined) k--;
      if (k >= 1) return drop(k);
      return offset < target - FRAME_MS / 2 ? HOLD : ADVANCE;
    }
    const next = view.nextQueuedAfterCursor();
    if (next !== undefined) {
      if (excessFrames >= 1) return drop(Math.min(excessFrames, next.seq - cursor));
      // below the target the frame may well be late, not lost (a later one overtook it): wait for it,
      // as a frame that is there would be stretched
      return offset < target - FRAME_MS / 2 ? HOLD : ADVANCE;
    }
    this.lastExpandAt = view.now;
    return offset - target < this.maxWaitMs ? HOLD : ADVANCE;
  }

  /** The target playout offset, on the tick grid through `offset`. */
  private targetOffset(offset: number, now: Millis): number {
    const stationary = this.stationaryTarget(offset, now);
    if (this.delays.state === 'steady') return stationary;
    // the floor's trend over the next 200 ms, no steeper than the largest delays rose over the last 200:
    // floors are the first to show a queue, but early frames (reordering) can scatter them into a
    // "trend" the delays themselves do not follow
    const latest = this.delays.recentMax(200);
    const ahead = latest + Math.min(this.watch.risingSlope * 200, Math.max(0, latest - this.delays.recentMax(200, 200)));
    return Math.max(stationary, onGrid(offset, ahead));
  }

  /**
   * The E-model-optimal offset over the stationary window (cover everything seen until it has enough
   * samples); it moves slowly, so it is recomputed every `TARGET_REFRESH_MS`, or at once after a delay
   * late for it (past it less the safety margin) arrived.
   */
  private stationaryTarget(offset: number, now: Millis): number {
    if (this.cached && now - this.cachedAt < TARGET_REFRESH_MS) {
      // on the same grid: the same offset (most ticks: no fmod then), or whole frames away
      if (this.cachedOffset === offset || Math.abs(this.cachedOffset - offset) % FRAME_MS < 1e-6) return this.cachedTarget;
    }
    // the window's min, read once: where the offsets tried start, and what the target delay is reported over
    const lo = this.delays.window.trackedQuantile(0);
    const target = this.computeStationaryTarget(offset, lo);
    this.cached = true;
    this.cachedAt = now;
    this.cachedOffset = offset;
    this.cachedTarget = target;
    this.cachedMinR = lo;
    return target;
  }

  /** The E-model-optimal offset, on the grid through `offset`, the window's min being `lo` (undefined when empty). */
  private computeStationaryTarget(offset: number, lo: number | undefined): number {
    const window = this.delays.window;
    // the 0 and 1 quantiles are the min and max, kept current instead of searched for at each refresh;
    // the max as the top of its bin, so that the offsets tried reach past the largest delay itself
    const hi = window.trackedQuantileTop(1);
    if (lo === undefined || hi === undefined || window.size < MIN_SAMPLES) {
      const largest = Math.max(hi ?? -Infinity, this.delays.recentMax(1000));
      return onGrid(offset, Number.isFinite(largest) ? largest : offset);
    }
    const shift = this.oneWayShift(lo);
    const burstR = this.losses.burstR();
    // Never aim for more than half the buffer: a backlog (a frozen receiver's inbox, a sender that
    // started long before us) must not hold playout back until the buffer overflows, again and again.
    const end = onGrid(offset, Math.min(hi, lo + (this.capacityPackets / 2) * FRAME_MS));
    let best = end; // when no offset keeps late loss acceptable, cover everything the buffer can
    let bestR = -Infinity;
    // the least loss impairment any offset can have: the network's loss alone
    const leastLossImpairment = lossImpairment(100 * Math.min(1, this.lossRate), burstR);
    // a young stream's stalls count in part: of the n samples, `discounted` of those stalls released leave
    const n = window.size;
    const weight = this.watch.maturity;
    const discounted = weight < 1 ? (1 - weight) * Math.min(this.watch.youngReleased(), n) : 0;
    for (let o = onGrid(offset, lo); o <= end; o += FRAME_MS) {
      // offsets only add delay from here on: once even no late loss could not beat the best, none will
      const delayMs = o + shift + FRAME_ALLOWANCE_MS;
      if (R0 - delayImpairment(delayMs) - leastLossImpairment + TARGET_STICKINESS_R < bestR) break;
      const x = o - SAFETY_MARGIN_MS;
      const late = discounted === 0 ? window.fractionAbove(x) : Math.max(0, n * window.fractionAbove(x) - discounted * this.watch.youngReleasedAbove(x)) / (n - discounted);
      if (late > MAX_LATE_FRACTION) continue;
      const loss = 100 * Math.min(1, this.lossRate + late);
      const r = rating(delayMs, loss, burstR) + (this.targeted && o === this.target ? TARGET_STICKINESS_R : 0);
      if (r > bestR + 1e-9) {
        bestR = r;
        best = o;
      }
    }
    return best;
  }

  /** True one-way delay minus r: from the time sync's clock offset, else from the round trip. */
  private oneWayShift(minR: number): number {
    if (this.clockOffsetMs !== undefined) return this.clockOffsetMs;
    const minRtt = this.watch.smallestRoundTrip();
    return (minRtt === undefined ? this.assumedOneWayMs : minRtt / 2) - minR;
  }

  /** Network loss rate: an exponential average over about 500 frames of sequence-number gaps. */
  private noteLoss(seq: number): void {
    const w = 1 / 500;
    if (this.newest === undefined) {
      this.newest = seq;
      return;
    }
    if (seq > this.newest) {
      // frame by frame (a gap's frames are lost ones); past LOSS_GAP_CAP frames the rate is 1 to within e^−20,
      // and a jump of the sequence by billions must not loop over it
      const end = Math.min(seq, this.newest + 1 + LOSS_GAP_CAP);
      for (let s = this.newest + 1; s < end; s++) this.lossRate = (1 - w) * this.lossRate + w;
      this.lossRate = (1 - w) * this.lossRate;
      this.newest = seq;
    } else {
      this.lossRate = Math.max(0, this.lossRate - w);
    }
  }
}

/** The smallest offset on the grid through `offset` (spacing one frame) that is at least `value`. */
function onGrid(offset: number, value: number): number {
  return offset + FRAME_MS * Math.ceil((value - offset) / FRAME_MS - 1e-9);
}

/** Our controller behind the playout-controller interface. */
export function callsimPlayout(options: CallsimPlayoutOptions = {}): PlayoutController {
  return new JitterBuffer(new CallsimPolicy(options));
}
