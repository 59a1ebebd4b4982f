/**
 * Our degradation predictor: raises `degradationLikely` ahead of late loss, from the one-way delay trend
 * of the stream itself, the round trip, and silences.
 *
 * Theory of operation. Every arrival gives a relative one-way delay r = arrival − media time (the clock
 * offset is constant, so the trend of r is the trend of the forward one-way delay, half of the round
 * trip, sampled every 20 ms). Two causes are watched.
 *   - `delay-rising`. A queue building up lifts the *floor* of the delays, which jitter does not: the
 *     floor is the smallest r of each 100 ms block. Its noise σ is learnt from the block-to-block steps
 *     (their median / 0.95). A rise is a least-squares slope of the floor over the last `trendBlocks`
 *     blocks (fast climbs) or `longTrendBlocks` (slow creeps) that is
 *       steep: ≥ `minSlope` (short) or `minLongSlope` (long), in ms of delay per ms;
 *       significant: slope / its standard error ≥ `minT` (short) or `minT` − 1 (long), the error taken
 *       from σ or from the scatter about the fit if larger (a floor that wanders, as on a jittery FIFO
 *       path, is not a trend);
 *       large: the fitted rise reaches 2σ and half the 95th percentile of the excursions above the floor.
 *     A rise is a risk when it will consume the headroom h within `horizonMs` (frames sent now play
 *     after h·(1 + s)/s), h being the smallest playout offset of the last 3 s minus the floor and the
 *     excursions' 95th percentile: the warning says the path degrades faster than a playout that did not
 *     react could absorb, whether or not the controller then absorbs it by raising its delay. A round
 *     trip that beats every round trip of the last 30 s by ≥ `rttRiseMs` (the time sync sees the same
 *     queue: the seed's "round trip time increases") lowers the significance needed by one.
 *   - `stall`. Nothing arrived for longer than this stream's usual gaps (past its 99.5th percentile + a
 *     frame, twice its 99th percentile, and `minStallMs`), and the silence will likely last until it
 *     degrades the playout (until three frames past the buffer's headroom are due): it already has, or
 *     at least half of the gaps of the last minute that lasted this long went on that long (a silence
 *     never seen before counts as likely, so the first stall is warned too). On Wi-Fi, gaps past 100 ms
 *     are stalls and go on; on a jittery path they are delay excursions the buffer absorbs.
 * A warning is raised when a risk appears after at least `rearmMs` without a risk of the same cause
 * (`stallRearmMs` for stalls: a silence that ended has ended): one episode, one warning.
 */
import type { Millis } from '../contract.ts';
import { DelayWindow, ROUND_TRIP_BINS } from './delay-window.ts';
import { FRAME_MS, type DegradationCause, type PlayoutEvent } from './playout.ts';

/** Tuning of the predictor. */
export interface DegradationWatchOptions {
  /** Width of a floor block (ms). Default 100. */
  readonly blockMs?: number;
  /** Blocks in the short trend regression (fast climbs). Default 5. */
  readonly trendBlocks?: number;
  /** Blocks in the long trend regression (slow creeps). Default 20. */
  readonly longTrendBlocks?: number;
  /** Least slope of the short regression that counts as rising (ms of delay per ms). Default 0.02. */
  readonly minSlope?: number;
  /** Least slope of the long regression that counts as rising. Default 0.003. */
  readonly minLongSlope?: number;
  /** Least t-statistic of the short slope (the long one needs one less). Default 4. */
  readonly minT?: number;
  /** How far ahead an exhausted headroom is a risk (ms). Default 1200. */
  readonly horizonMs?: number;
  /** Rise of a round trip over the largest of the last 30 s that corroborates a rise (ms). Default 20. */
  readonly rttRiseMs?: number;
  /** Shortest silence that can be a stall (ms). Default 100. */
  readonly minStallMs?: number;
  /** Time without risk before a new warning may be raised (ms). Default 1000. */
  readonly rearmMs?: number;
  /** Time without a stall before a new stall may be warned (ms). Default 300. */
  readonly stallRearmMs?: number;
}

/** The playout offset a rise is measured against: the smallest of this last stretch, before any reaction (ms). */
const BASELINE_MS = 3000;

/** A least-squares fit of the delay floor over recent blocks. */
export interface Trend {
  /** Slope (ms of delay per ms). */
  readonly slope: number;
  /** Its t-statistic against the floor's noise (0 unless the floor rose by 2σ over the fit). */
  readonly t: number;
  /** The newest closed block's floor (ms). */
  readonly floor: number;
}

/** One 100 ms block of arrivals: its start and the smallest delay in it. */
interface Block {
  readonly start: Millis;
  floor: number;
}

/** Watches one stream and raises warnings. */
export class DegradationWatch {
  private readonly blockMs: number;
  private readonly trendBlocks: number;
  private readonly longTrendBlocks: number;
  private readonly minSlope: number;
  private readonly minLongSlope: number;
  private readonly minT: number;
  private readonly horizonMs: number;
  private readonly rttRiseMs: number;
  private readonly minStallMs: number;
  private readonly rearmMs: number;
  private readonly stallRearmMs: number;
  private readonly blocks: Block[] = [];
  private readonly steps = new DelayWindow(30_000, { origin: 0, binMs: 0.25, bins: 4096 });
  private readonly excursions = new DelayWindow(30_000, { origin: 0, binMs: 0.5, bins: 4096 });
  private readonly gaps = new DelayWindow(60_000, { origin: 0, binMs: 1, bins: 8192 });
  private lastArrival: Millis | undefined;
  private lastR = 0;
  private offset: number | undefined;
  private offsetAtLastArrival: number | undefined;
  private readonly offsets: { readonly at: Millis; readonly offset: number }[] = [];

  private readonly rtts = new DelayWindow(30_000, ROUND_TRIP_BINS);
  private rttRising = false;
  private readonly lastRiskAt: Record<DegradationCause, number> = { 'delay-rising': -Infinity, stall: -Infinity };
  private readonly events: PlayoutEvent[] = [];
  /** The latest short-range rise estimate: slope (ms per ms), its t-statistic, and the current floor. */
  trend: Trend = { slope: 0, t: 0, floor: 0 };
  /** The latest long-range rise estimate. */
  longTrend: Trend = { slope: 0, t: 0, floor: 0 };

  /** A watch with the given tuning. */
  constructor(options: DegradationWatchOptions = {}) {
    this.blockMs = options.blockMs ?? 100;
    this.trendBlocks = options.trendBlocks ?? 5;
    this.longTrendBlocks = options.longTrendBlocks ?? 20;
    this.minSlope = options.minSlope ?? 0.02;
    this.minLongSlope = options.minLongSlope ?? 0.003;
    this.minT = options.minT ?? 4;
    this.horizonMs = options.horizonMs ?? 1200;
    this.rttRiseMs = options.rttRiseMs ?? 20;
    this.minStallMs = options.minStallMs ?? 100;
    this.rearmMs = options.rearmMs ?? 1000;
    this.stallRearmMs = options.stallRearmMs ?? 300;
  }

  /** A packet arrived at `now` with relative delay `r` (late ones too). */
  arrival(now: Millis, r: number): void {
    if (this.lastArrival !== undefined) this.gaps.add(now, now - this.lastArrival);
    this.lastArrival = now;
    this.lastR = r;
    this.offsetAtLastArrival = this.offset;
    const last = this.blocks[this.blocks.length - 1];
    if (last !== undefined && now < last.start + this.blockMs) {
      last.floor = Math.min(last.floor, r);
    } else {
      if (last !== undefined) this.closeBlock(now);
      this.blocks.push({ start: last === undefined ? now : last.start + this.blockMs * Math.floor((now - last.start) / this.blockMs), floor: r });
      if (this.blocks.length > Math.max(this.trendBlocks, this.longTrendBlocks) + 1) this.blocks.shift();
    }
    const floor = this.blocks[this.blocks.length - 1]!.floor;
    this.excursions.add(now, r - floor);
  }

  /** A round-trip sample at `now`. */
  roundTrip(now: Millis, rttMs: number): void {
    const highest = this.rtts.max;
    this.rttRising = highest !== undefined && this.rtts.size >= 5 && rttMs >= highest + this.rttRiseMs;
    this.rtts.add(now, rttMs);
  }

  /** A tick at `now`; the playout runs at offset `offsetMs` (undefined before it starts). */
  tick(now: Millis, offsetMs: number | undefined): void {
    this.offset = offsetMs;
    if (offsetMs !== undefined) {
      while (this.offsets.length > 0 && (this.offsets[this.offsets.length - 1]!.offset >= offsetMs || this.offsets[0]!.at < now - BASELINE_MS)) {
        if (this.offsets[this.offsets.length - 1]!.offset >= offsetMs) this.offsets.pop();
        else this.offsets.shift();
      }
      this.offsets.push({ at: now, offset: offsetMs });
    }
    const risk = offsetMs === undefined ? undefined : this.risk(now, offsetMs);
    if (risk === undefined) return;
    const rearm = risk.cause === 'stall' ? this.stallRearmMs : this.rearmMs;
    if (now - this.lastRiskAt[risk.cause] >= rearm) {
      this.events.push({ type: 'degradationLikely', now, cause: risk.cause, ...(risk.inMs === undefined ? {} : { expectedInMs: risk.inMs }) });
    }
    this.lastRiskAt[risk.cause] = now;
  }

  /** The next warning, if any. */
  pollEvent(): PlayoutEvent | undefined {
    return this.events.shift();
  }

  /** A block ended: its floor's step from the previous one teaches the noise; refit the trend. */
  private closeBlock(now: Millis): void {
    const n = this.blocks.length;
    if (n >= 2) this.steps.add(now, Math.abs(this.blocks[n - 1]!.floor - this.blocks[n - 2]!.floor));
    this.trend = this.fit(this.trendBlocks);
    this.longTrend = this.fit(this.longTrendBlocks);
  }

  private fit(blocks: number): Trend {
    const n = this.blocks.length - 1; // the newest block is still open
    const floor = n > 0 ? this.blocks[n - 1]!.floor : 0;
    if (n < blocks || this.steps.size < 20) return { slope: 0, t: 0, floor };
    const sigma = Math.max(0.5, this.steps.quantile(0.5)! / 0.95);
    const from = n - blocks;
    let mx = 0;
    let my = 0;
    for (let i = from; i < n; i++) {
      mx += this.blocks[i]!.start;
      my += this.blocks[i]!.floor;
    }
    mx /= blocks;
    my /= blocks;
    let sxx = 0;
    let sxy = 0;
    for (let i = from; i < n; i++) {
      const b = this.blocks[i]!;
      sxx += (b.start - mx) ** 2;
      sxy += (b.start - mx) * (b.floor - my);
    }
    const slope = sxy / sxx;
    // a floor that wanders (a jittery FIFO path) scatters about its own fit more than its steps say
    let sse = 0;
    for (let i = from; i < n; i++) sse += (this.blocks[i]!.floor - my - slope * (this.blocks[i]!.start - mx)) ** 2;
    const noise = Math.max(sigma, Math.sqrt(sse / (blocks - 2)));
    // the fitted rise must stand out of the noise and be a fair part of the usual spread above the floor
    const rise = slope * (this.blocks[n - 1]!.start - this.blocks[from]!.start);
    const lifted = rise >= Math.max(2 * noise, (this.excursions.quantile(0.95) ?? 0) / 2);
    return { slope, t: lifted ? slope / (noise / Math.sqrt(sxx)) : 0, floor };
  }

  private risk(now: Millis, offsetMs: number): { cause: DegradationCause; inMs?: number } | undefined {
    const silence = this.lastArrival === undefined ? 0 : now - this.lastArrival;
    if (silence > this.minStallMs && this.gaps.size >= 25) {
      const unusual = Math.max(this.gaps.quantile(0.995)! + FRAME_MS, 2 * this.gaps.quantile(0.99)!);
      if (silence > unusual) {
        // the silence degrades playout once the frames due meanwhile run out of buffer: three late frames
        const harmfulAt = (this.offsetAtLastArrival ?? offsetMs) - this.lastR + 3 * FRAME_MS;
        if (silence >= harmfulAt) return { cause: 'stall', inMs: 0 };
        // will it last that long? as often as this stream's gaps that got this far went on that far
        const odds = (this.gaps.size * this.gaps.fractionAbove(harmfulAt) + 1) / (this.gaps.size * this.gaps.fractionAbove(silence) + 1);
        if (odds >= 0.5) return { cause: 'stall', inMs: Math.round(harmfulAt - silence) };
      }
    }
    const minShortT = this.rttRising ? this.minT - 1 : this.minT;
    const baseline = this.offsets[0]?.offset ?? offsetMs;
    let soonest: number | undefined;
    for (const [trend, minSlope, minT] of [[this.trend, this.minSlope, minShortT], [this.longTrend, this.minLongSlope, minShortT - 1]] as const) {
      if (!(trend.slope >= minSlope && trend.t >= minT)) continue;
      const headroom = baseline - trend.floor - (this.excursions.quantile(0.95) ?? 0);
      const inMs = headroom <= 0 ? 0 : (headroom * (1 + trend.slope)) / trend.slope;
      if (inMs <= this.horizonMs) soonest = Math.min(soonest ?? Infinity, inMs);
    }
    return soonest === undefined ? undefined : { cause: 'delay-rising', inMs: Math.round(soonest) };
  }
}
