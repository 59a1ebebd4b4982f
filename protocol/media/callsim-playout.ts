/**
 * Our playout controller ("callsim"): the playout delay that maximizes the E-model score, placed on
 * the delay curve by the round trip; hold-and-catch-up mechanics; warnings from the delay trend.
 *
 * Theory of operation.
 *   1. Delays. Every arrival (late ones too) gives r = arrival − media time: the one-way delay plus a
 *      constant clock offset. A 10 s window of r describes the stationary delay distribution.
 *   2. Where the stream sits on the E-model's delay curve. The true one-way delay is r + (sender clock
 *      − ours); the time sync gives that offset when it measured one, else the round trip does: the
 *      fastest packet's one-way delay is taken as half the smallest round trip. This is where the
 *      round trip sizes the buffer: 20 ms more buffering costs 0.48 R below 177 ms of mouth-to-ear delay
 *      but 2.68 R above it, so a far peer gets a tighter buffer than a near one on the same jitter.
 *   3. Target. On the tick grid, the playout offset O that maximizes
 *      R(one-way(O) + 20 ms, network loss + fraction of the window later than O) is the target.
 *   4. Mechanics (per tick, with O the offset at which the cursor frame would play now):
 *      - frame there: O more than a frame above the target → drop the excess frames at once (after a
 *        burst, latency comes straight back down); a frame below → stretch; else play;
 *      - frame missing, a later one queued (lost or reordered): skip it for free if O is above the
 *        target, else conceal it;
 *      - nothing queued (the stream is delayed, not lost: a spike, a climb, a stall): hold (expand)
 *        rather than concealing frames that will come; what arrives in the burst is played and the
 *        excess dropped by the rule above, so a stall costs no more frames than concealing would
 *        and a climb costs none.
 *   5. Climbs. When the recent median r leaves the window's distribution upwards (above its 98th
 *      percentile) the delay is *rising*: those samples stay out of the stationary window and the
 *      target follows the recent largest r plus the trend over the next 200 ms, so the holds of a climb
 *      are not undone by drops, and stretches run ahead of underruns. Back inside the distribution, the
 *      window's target applies again and the queued excess is dropped. A rise that levels off for 3 s
 *      is a new normal: the window restarts from the last second.
 *   6. Warnings come from `DegradationWatch` (delay trend, round trip, silences).
 */
import type { Millis } from '../contract.ts';
import { DegradationWatch, type DegradationWatchOptions } from './degradation-watch.ts';
import { DelayWindow } from './delay-window.ts';
import { rFactor } from './emodel.ts';
import { ADVANCE, drop, HOLD, JitterBuffer, type ArrivalNote, type BufferView, type PlayoutPolicy, type TickPlan, type TimeSyncNote } from './jitter-buffer.ts';
import { FRAME_MS, type PlayoutController, type PlayoutEvent, type TickAudio } from './playout.ts';
import { FRAME_ALLOWANCE_MS } from './playout-stats.ts';

/** Settings of our controller. */
export interface CallsimPlayoutOptions {
  /** Span of the stationary delay window (ms). Default 30 000. */
  readonly windowMs?: number;
  /** One-way delay assumed for the fastest packet before any round trip is known (ms). Default 50. */
  readonly assumedOneWayMs?: number;
  /** Longest the playout waits through a silence before concealing instead (ms). Default 3000. */
  readonly maxWaitMs?: number;
  /** Tuning of the degradation predictor. */
  readonly watch?: DegradationWatchOptions;
}

type Regime = 'steady' | 'rising';

/**
 * Most late loss a target may plan for. Beyond it the E-model, calibrated for moderate loss, would
 * prefer dropping nearly all audio to a long delay.
 */
const MAX_LATE_FRACTION = 0.5;

/** A sample this close under a candidate offset counts as late: the next ones scatter a little wider than the window (ms). */
const SAFETY_MARGIN_MS = 5;

/** A rise that lasts this long is a new level, not a transient (ms). */
const NEW_LEVEL_MS = 10_000;

/** Samples wait this long before they enter the stationary window, so that a rise detected late still keeps its start out (ms). */
const QUARANTINE_MS = 1500;

/** How long a one-frame excess over the target must last before a frame is dropped for it (ms). */
const EXCESS_PATIENCE_MS = 2000;

/** How much better (in R) another offset must be before the target leaves the current one. */
const TARGET_STICKINESS_R = 0.2;

/** The callsim playout policy. */
class CallsimPolicy implements PlayoutPolicy {
  readonly name = 'callsim';
  readonly capacityPackets = 500;
  private readonly window: DelayWindow;
  private readonly rtts = new DelayWindow(30_000);
  private readonly recent: { readonly at: Millis; readonly r: number }[] = [];
  private readonly pending: { readonly at: Millis; readonly r: number }[] = [];
  private readonly risingSpans: { start: Millis; end: Millis }[] = [];
  private readonly watch: DegradationWatch;
  private readonly assumedOneWayMs: number;
  private readonly maxWaitMs: number;
  private clockOffsetMs: number | undefined;
  private lossRate = 0;
  private newest: number | undefined;
  private regime: Regime = 'steady';
  private risingSince = 0;
  private target: number | undefined;
  private offset: number | undefined;
  private excessSince: Millis | undefined;
  private lastExpandAt = -Infinity;

  constructor(options: CallsimPlayoutOptions) {
    this.window = new DelayWindow(options.windowMs ?? 30_000);
    this.assumedOneWayMs = options.assumedOneWayMs ?? 50;
    this.maxWaitMs = options.maxWaitMs ?? 3000;
    this.watch = new DegradationWatch(options.watch);
  }

  arrived(_view: BufferView, note: ArrivalNote): void {
    const r = note.now - note.mediaMs;
    this.noteLoss(note.seq);
    this.recent.push({ at: note.now, r });
    while (this.recent.length > 0 && this.recent[0]!.at < note.now - 1000) this.recent.shift();
    this.pending.push({ at: note.now, r });
    this.watch.arrival(note.now, r);
    this.updateRegime(note.now);
    this.admit(note.now);
  }

  timeSynced(_view: BufferView, note: TimeSyncNote): void {
    this.rtts.add(note.now, note.rttMs);
    if (note.clockOffsetMs !== undefined) this.clockOffsetMs = note.clockOffsetMs;
    this.watch.roundTrip(note.rttMs);
  }

  decide(view: BufferView): TickPlan {
    const cursor = view.cursor!;
    const offset = view.now - view.mediaOf(cursor);
    const target = (this.target = this.targetOffset(offset));
    const plan = this.plan(view, cursor, offset, target);
    this.offset = plan.type === 'hold' ? offset + FRAME_MS : plan.type === 'drop' ? offset - plan.count * FRAME_MS : offset;
    return plan;
  }

  ticked(view: BufferView, audio: TickAudio): void {
    this.watch.tick(view.now, audio.type === 'silence' ? undefined : this.offset);
  }

  targetDelayMs(): number {
    const min = this.window.min;
    return this.target === undefined || min === undefined ? 0 : Math.max(0, this.target - min);
  }

  pollEvent(): PlayoutEvent | undefined {
    return this.watch.pollEvent();
  }

  private plan(view: BufferView, cursor: number, offset: number, target: number): TickPlan {
    const excessFrames = Math.floor((offset - target) / FRAME_MS + 1e-9);
    if (!view.started) return view.frame(cursor) !== undefined && excessFrames >= 0 ? ADVANCE : HOLD;
    if (excessFrames < 1) this.excessSince = undefined;
    else this.excessSince ??= view.now;
    // A one-frame excess left by a target that moved down waits to prove itself; one left by a hold goes at once.
    const settled = excessFrames >= 2 || view.now - this.lastExpandAt <= 1000 || view.now - this.excessSince! >= EXCESS_PATIENCE_MS;
    if (view.frame(cursor) !== undefined) {
      let k = settled ? excessFrames : 0;
      while (k > 0 && view.frame(cursor + k) === undefined) k--;
      if (k >= 1) return drop(k);
      return offset < target - FRAME_MS / 2 ? HOLD : ADVANCE;
    }
    const next = view.nextQueuedAfterCursor();
    if (next !== undefined) return excessFrames >= 1 ? drop(Math.min(excessFrames, next.seq - cursor)) : ADVANCE;
    this.lastExpandAt = view.now;
    return offset - target < this.maxWaitMs ? HOLD : ADVANCE;
  }

  /** The target playout offset on the tick grid that `offset` lies on. */
  private targetOffset(offset: number): number {
    const stationary = this.stationaryTarget(offset);
    if (this.regime === 'steady' || this.recent.length === 0) return stationary;
    const now = this.recent[this.recent.length - 1]!.at;
    let largest = -Infinity;
    for (const x of this.recent) if (x.at >= now - 200) largest = Math.max(largest, x.r);
    const ahead = largest + Math.max(0, this.watch.trend.slope) * 200;
    return Math.max(stationary, onGrid(offset, ahead));
  }

  /** The E-model-optimal offset over the stationary window. */
  private stationaryTarget(offset: number): number {
    const lo = this.window.min;
    const hi = this.window.max;
    if (lo === undefined || hi === undefined || this.window.size < 25) {
      let largest = hi ?? -Infinity;
      for (const x of this.pending) largest = Math.max(largest, x.r);
      return onGrid(offset, (Number.isFinite(largest) ? largest : offset) + FRAME_MS);
    }
    const shift = this.oneWayShift(lo);
    const end = onGrid(offset, hi);
    let best = end;
    let bestR = -Infinity;
    for (let o = onGrid(offset, lo); o <= end; o += FRAME_MS) {
      const late = this.window.fractionAbove(o - SAFETY_MARGIN_MS);
      if (late > MAX_LATE_FRACTION) continue;
      const loss = 100 * Math.min(1, this.lossRate + late);
      const r = rFactor({ delayMs: o + shift + FRAME_ALLOWANCE_MS, lossPercent: loss }) + (o === this.target ? TARGET_STICKINESS_R : 0);
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
    const minRtt = this.rtts.min;
    return (minRtt === undefined ? this.assumedOneWayMs : minRtt / 2) - minR;
  }

  private updateRegime(now: Millis): void {
    if (this.window.size < 25) return;
    let low = Infinity;
    let high = -Infinity;
    let count = 0;
    let first = now;
    for (const x of this.recent) {
      if (x.at < now - 300) continue;
      low = Math.min(low, x.r);
      high = Math.max(high, x.r);
      first = Math.min(first, x.at);
      count++;
    }
    // a level needs samples spread over time: a burst released at one instant says nothing about it
    if (count < 5 || now - first < 150) return;
    if (high < this.window.quantile(0.02)!) return this.restartWindow(now);
    const ceiling = this.window.quantile(0.98)!;
    if (this.regime === 'steady') {
      if (low > ceiling && this.watch.trend.slope > 0) this.startRise(now);
    } else if (low <= ceiling) {
      this.endRise(now);
    } else if (now - this.risingSince > NEW_LEVEL_MS) {
      this.restartWindow(now);
    }
  }

  /** The delay moved to a new level: the window restarts from the last second. */
  private restartWindow(now: Millis): void {
    this.window.clear();
    for (const x of this.recent) this.window.add(x.at, x.r);
    this.window.expire(now);
    this.pending.length = 0;
    this.endRise(now);
  }

  /** Samples out of quarantine enter the window unless a rise was under way around them. */
  private admit(now: Millis): void {
    while (this.pending.length > 0 && this.pending[0]!.at <= now - QUARANTINE_MS) {
      const x = this.pending.shift()!;
      if (!this.risingSpans.some((span) => x.at >= span.start - QUARANTINE_MS && x.at <= span.end)) this.window.add(x.at, x.r);
    }
    this.window.expire(now);
    while (this.risingSpans.length > 0 && this.risingSpans[0]!.end < now - 2 * QUARANTINE_MS) this.risingSpans.shift();
  }

  private startRise(now: Millis): void {
    this.regime = 'rising';
    this.risingSince = now;
    this.risingSpans.push({ start: now, end: Infinity });
  }

  private endRise(now: Millis): void {
    this.regime = 'steady';
    const last = this.risingSpans[this.risingSpans.length - 1];
    if (last !== undefined && last.end === Infinity) last.end = now;
  }

  /** Network loss rate: an exponential average over about 500 frames of sequence-number gaps. */
  private noteLoss(seq: number): void {
    const w = 1 / 500;
    if (this.newest === undefined) {
      this.newest = seq;
      return;
    }
    if (seq > this.newest) {
      for (let s = this.newest + 1; s < seq; s++) this.lossRate = (1 - w) * this.lossRate + w;
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
