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
 *       large: the fitted rise reaches 2σ and half the 95th percentile of the excursions above the floor;
 *       persistent: the floors of the last `persistBlocks` closed blocks are all above the 95th
 *       percentile of the stationary floors (those of the last 30 s, each admitted 1.5 s after its
 *       block closed and only if no rise was a risk around it). A queue keeps the floor out of its
 *       usual range; on a jittery FIFO path the floor wanders just as steeply, but one block's spike
 *       falls back into the range the playout was sized for.
 *     A rise is a risk when it will consume the headroom h within `horizonMs` (frames sent now play
 *     after h·(1 + s)/s), h being the smallest playout offset of the last 3 s minus the floor and the
 *     excursions' 95th percentile: the warning says the path degrades faster than a playout that did not
 *     react could absorb, whether or not the controller then absorbs it by raising its delay. A round
 *     trip that beats every round trip of the last 30 s by ≥ `rttRiseMs` (the time sync sees the same
 *     queue: the seed's "round trip time increases") lowers the significance needed by one.
 *   - `stall`. Nothing arrived for longer than this stream's usual gaps (past their 99.5th percentile + a
 *     frame and twice their 99th percentile; the usual gaps are those between consecutive frames, so
 *     neither loss runs nor the stalls warned of inflate them) and for over `minStallMs`, counted as if
 *     the last packet had come at the floor's delay (a slow last packet makes the silence look shorter
 *     than the stall is: the stall's deadline runs from when the next frame was due), and the silence
 *     will likely harm the playout (three frames past the buffer's headroom are due):
 *       it already has, or at least half of the *held* silences of the last minute (those that ended
 *       with a packet delayed by more than half the silence, not with one after lost packets) that
 *       lasted this long went on that long (a silence never seen before counts as likely, so the
 *       first stall is warned too);
 *       and it is not better explained by lost packets: the loss runs of the last minute, taken as
 *       geometric with their mean length, make no more runs this long expected than there were held
 *       silences this long, plus one half. On Wi-Fi that loses packets in bursts but has never stalled,
 *       a first long silence is warned of (it may be the first stall), but not once the bursts seen
 *       make more than half a run that long expected.
 *     On Wi-Fi, gaps past 100 ms are stalls and go on; on a jittery path they are delay excursions the
 *     buffer absorbs. In the stream's first 30 s the delays stalls released (a held silence past the
 *     usual gaps, or of 200 ms or more before 25 gaps are known, and the packets that came with the
 *     one that ended it) are kept for the playout target (`youngReleased`, `maturity`).
 * A warning is raised when a risk appears after at least `rearmMs` without a risk of the same cause
 * (`stallRearmMs` for stalls: a silence that ended has ended): one episode, one warning.
 *
 * Cost: an arrival is O(1): it writes one record (time, excursion, gap, whether the gap is a usual
 * one) in the stream's `ArrivalLog`, which the excursions' and the gaps' windows read, counting them
 * only when asked (a silence past 100 ms, a rise that stands 2σ out of the noise); a block
 * close (10 times a second) writes its floor down in a third (read only when a rise is steep and
 * significant) and refits two regressions over at most `longTrendBlocks` floors, in place, skipping the
 * scatter about the fit when the rise is under 2σ; a tick is O(1) unless a rise is significant or a
 * silence is long, when it asks the windows a few quantiles. The per-arrival and per-tick times and
 * offsets are plain numbers beside a flag (a field that may hold `undefined` boxes every number stored
 * in it: an allocation per arrival), and the block rings are sized for their 30 s at once.
 */
import type { Millis } from '../contract.ts';
import { ArrivalLog } from './arrival-log.ts';
import { DelayWindow, ROUND_TRIP_BINS } from './delay-window.ts';
import { FRAME_MS, type DegradationCause, type PlayoutEvent } from './playout.ts';
import { SampleQueue } from './sample-queue.ts';

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
  /** Closed blocks whose floors must all be above the stationary floors' 95th percentile. Default 3. */
  readonly persistBlocks?: number;
  /** How far ahead an exhausted headroom is a risk (ms). Default 1200. */
  readonly horizonMs?: number;
  /** Rise of a round trip over the largest of the last 30 s that corroborates a rise (ms). Default 20. */
  readonly rttRiseMs?: number;
  /** Shortest silence that can be a stall, counted as if the last packet had come at the floor's delay (ms). Default 100. */
  readonly minStallMs?: number;
  /** Time without risk before a new warning may be raised (ms). Default 1000. */
  readonly rearmMs?: number;
  /** Time without a stall before a new stall may be warned (ms). Default 300. */
  readonly stallRearmMs?: number;
}

/** The playout offset a rise is measured against: the smallest of this last stretch, before any reaction (ms). */
const BASELINE_MS = 3000;

/** How long a closed block's floor waits before it joins the stationary floors, and how far from a rise it must be (ms). */
const FLOOR_ADMIT_MS = 1500;

/** Stationary floors needed before they can vouch for a rise (blocks). */
const MIN_REFERENCE_FLOORS = 20;

/** Span of the silence and loss-run history (ms). */
const SILENCE_HISTORY_MS = 60_000;

/** A held silence this long is a stall before the stream's usual gaps are known (ms). */
const FIRST_STALL_MS = 200;

/** A stream is young for this long after its first arrival; what its stalls release meanwhile is kept (ms). */
const YOUNG_STREAM_MS = 30_000;

/** The fields of an arrival's record in the log: its excursion above its block's floor so far, its gap since the previous arrival, and 1 if that gap is a usual one (else 0). */
const EXCURSION = 1;
const GAP = 2;
const USUAL_GAP = 3;

/** A least-squares fit of the delay floor over recent blocks. */
export interface Trend {
  /** Slope (ms of delay per ms). */
  readonly slope: number;
  /** Its t-statistic against the floor's noise (0 unless the floor rose by 2σ over the fit). */
  readonly t: number;
  /** The floor of the fit's last block (ms). */
  readonly floor: number;
}

/** A `Trend` refitted in place (no allocation per block). */
class TrendFit implements Trend {
  slope = 0;
  t = 0;
  floor = 0;
}

/**
 * The recent blocks' start times and floors, oldest first: a window of one flat array that slides along
 * them, copied back to its start when it reaches the end, so that dropping the oldest block moves
 * nothing (an array's shift() moves them all) and the blocks stay contiguous for the fits. A block's
 * start and floor sit side by side (an arrival touches one array, not two).
 */
class Blocks {
  /** Block `i` (0 the oldest) is at place `base + i`: its start time at 2·place, its floor at 2·place + 1 (read directly by the fits' loops). */
  readonly data: Float64Array;
  /** Where the oldest block is. */
  base = 0;
  /** Blocks held. */
  length = 0;

  /** Room for `keep` blocks: a push beyond them drops the oldest. */
  constructor(private readonly keep: number) {
    // 8 windows long: the window is copied back once every 7·keep blocks
    this.data = new Float64Array(2 * 8 * keep);
  }

  /** Start time of the block at `place`. */
  startAt(place: number): number {
    return this.data[2 * place]!;
  }

  /** Floor of the block at `place`. */
  floorAt(place: number): number {
    return this.data[2 * place + 1]!;
  }

  /** Set the floor of the block at `place`. */
  setFloor(place: number, floor: number): void {
    this.data[2 * place + 1] = floor;
  }

  /** Add the newest block. */
  push(start: number, floor: number): void {
    if (2 * (this.base + this.length) === this.data.length) {
      this.data.copyWithin(0, 2 * this.base, 2 * (this.base + this.length));
      this.base = 0;
    }
    this.data[2 * (this.base + this.length)] = start;
    this.data[2 * (this.base + this.length) + 1] = floor;
    if (this.length === this.keep) this.base++;
    else this.length++;
  }
}

/** Loss runs (sequence numbers skipped by a newer arrival) over a sliding span, with their count and frames. */
class LossRuns {
  private readonly recent = new SampleQueue();
  /** Runs in the span. */
  runs = 0;
  /** Frames lost in those runs. */
  frames = 0;

  constructor(private readonly spanMs: Millis) {}

  /** A run of `frames` frames ended at `now`. */
  add(now: Millis, frames: number): void {
    this.recent.push(now, frames);
    this.runs++;
    this.frames += frames;
    this.expire(now);
  }

  /** Forget runs older than the span. */
  expire(now: Millis): void {
    while (this.recent.length > 0 && this.recent.timeAt(0) < now - this.spanMs) {
      this.runs--;
      this.frames -= this.recent.valueAt(0);
      this.recent.shift();
    }
  }

  /** Expected runs in the span at least `k` frames long, run lengths taken as geometric with the span's mean. */
  expectedAtLeast(k: number): number {
    if (this.runs === 0) return 0;
    const q = 1 - this.runs / this.frames; // P(a run goes on one more frame)
    return this.runs * q ** Math.max(0, k - 1);
  }
}

/** Watches one stream and raises warnings. */
export class DegradationWatch {
  private readonly blockMs: number;
  private readonly trendBlocks: number;
  private readonly longTrendBlocks: number;
  private readonly minSlope: number;
  private readonly minLongSlope: number;
  private readonly minT: number;
  private readonly persistBlocks: number;
  private readonly horizonMs: number;
  private readonly rttRiseMs: number;
  private readonly minStallMs: number;
  private readonly rearmMs: number;
  private readonly stallRearmMs: number;
  /** Floors of the recent blocks (the last one still open) and their start times, oldest first. */
  private readonly blocks: Blocks;
  /** Steps between consecutive closed blocks' floors (their median is the floors' noise). */
  private readonly steps: DelayWindow;
  /** The arrivals: their excursions above the block's floor so far, their gaps since the previous arrival, and whether that gap is a usual one. */
  private readonly log = new ArrivalLog(SILENCE_HISTORY_MS / FRAME_MS);
  /** Delays above their block's floor so far (read at a block's close only when a rise stands out of the noise). */
  private readonly excursions = this.log.window(EXCURSION, 30_000, { origin: 0, binMs: 0.5, bins: 4096 });
  /** The stationary floors (lazy: read only when a rise is steep and significant). */
  private readonly floors: DelayWindow;
  /** Closed blocks' floors waiting to join `floors`. */
  private readonly pendingFloors = new SampleQueue();
  private lastRiseRiskAt = -Infinity;
  /** Gaps between arrivals of consecutive frames, but for silences warned of as stalls. */
  private readonly gaps = this.log.window(GAP, 60_000, { origin: 0, binMs: 1, bins: 8192 }, USUAL_GAP);
  /** Lengths of the silences that ended with a held packet. */
  private readonly delaySilences = new DelayWindow(SILENCE_HISTORY_MS, { origin: 0, binMs: 1, bins: 8192 });
  /** The arrival a warned stall followed (NaN: none; compared with `lastArrival`, which is never undefined then). */
  private stallWarnedSince: Millis = NaN;
  private readonly lossRuns = new LossRuns(SILENCE_HISTORY_MS);
  private newestSeq: number | undefined;
  private lastSeq = -Infinity;
  /** The last arrival's time and delay, and the playout offset then, valid once `arrived` (`offsetAtLastArrival` once `offsetKnownAtLastArrival`). Plain numbers, kept apart from their flags: stored at every arrival and tick without allocating a number each time. */
  private arrived = false;
  private lastArrival: Millis = 0;
  private lastR = 0;
  private offsetKnown = false;
  private offset = 0;
  private offsetKnownAtLastArrival = false;
  private offsetAtLastArrival = 0;
  /** While the stream is young: when it began, whether the last arrival was released by a stall, and the delays stalls released. */
  private young = true;
  private firstArrival = NaN;
  private releasing = false;
  private readonly youngReleases = new DelayWindow(YOUNG_STREAM_MS);
  /** Monotone deque of (time, offset) over the last `BASELINE_MS`: its head is the smallest offset. */
  /** Its slot `i` holds a time at 2i and its offset at 2i + 1 (side by side: a tick touches one array). */
  private readonly baseRing = new Float64Array(2 * 256);
  private baseHead = 0;
  private baseCount = 0;

  private readonly rtts = new DelayWindow(30_000, ROUND_TRIP_BINS);
  private rttRising = false;
  private readonly lastRiskAt: Record<DegradationCause, number> = { 'delay-rising': -Infinity, stall: -Infinity };
  private readonly events: PlayoutEvent[] = [];
  private readonly shortFit = new TrendFit();
  private readonly longFit = new TrendFit();

  /**
   * The floor's short-range upward slope (ms per ms) when the rise stands out of the floor's noise, else
   * 0: a slope fitted to floors that only scatter (early packets now and then on a steady path) says
   * nothing about where the delay is going.
   */
  get risingSlope(): number {
    return this.shortFit.t > 0 && this.shortFit.slope > 0 ? this.shortFit.slope : 0;
  }

  /** How far the stream is into its young first 30 s: 0 at its first arrival, 1 from 30 s on. */
  get maturity(): number {
    return this.young ? Math.min(1, (this.lastArrival - this.firstArrival) / YOUNG_STREAM_MS) : 1;
  }

  /** How many delays stalls released while the stream was young (asked while it is: see `maturity`). */
  youngReleased(): number {
    return this.youngReleases.size;
  }

  /** The fraction of `youngReleased()` above `x` (by the bin, as `DelayWindow.fractionAbove`). */
  youngReleasedAbove(x: number): number {
    return this.youngReleases.fractionAbove(x);
  }

  /** The latest short-range rise estimate: slope (ms per ms), its t-statistic, and the current floor. */
  get trend(): Trend {
    return this.shortFit;
  }

  /** The latest long-range rise estimate. */
  get longTrend(): Trend {
    return this.longFit;
  }

  /** A watch with the given tuning. */
  constructor(options: DegradationWatchOptions = {}) {
    this.blockMs = options.blockMs ?? 100;
    this.trendBlocks = options.trendBlocks ?? 5;
    this.longTrendBlocks = options.longTrendBlocks ?? 20;
    this.minSlope = options.minSlope ?? 0.02;
    this.minLongSlope = options.minLongSlope ?? 0.003;
    this.minT = options.minT ?? 4;
    this.persistBlocks = options.persistBlocks ?? 3;
    this.horizonMs = options.horizonMs ?? 1200;
    this.rttRiseMs = options.rttRiseMs ?? 20;
    this.minStallMs = options.minStallMs ?? 100;
    this.rearmMs = options.rearmMs ?? 1000;
    this.stallRearmMs = options.stallRearmMs ?? 300;
    // one step and one floor per block: rings sized for 30 s of them (no regrowth as they fill)
    this.steps = new DelayWindow(30_000, { origin: 0, binMs: 0.25, bins: 4096 }, 30_000 / this.blockMs);
    this.floors = new DelayWindow(30_000, { binMs: 0.5, bins: 4096 }, 30_000 / this.blockMs, true);
    this.blocks = new Blocks(Math.max(this.trendBlocks, this.longTrendBlocks, this.persistBlocks) + 1);
  }

  /** Packet `seq` arrived at `now` with relative delay `r` (late ones too). */
  arrival(now: Millis, seq: number, r: number): void {
    if (this.newestSeq === undefined || seq > this.newestSeq) {
      if (this.newestSeq !== undefined && seq > this.newestSeq + 1) this.lossRuns.add(now, seq - this.newestSeq - 1);
      this.newestSeq = seq;
    }
    let gap = 0;
    let usual = 0;
    let released = false;
    if (this.arrived) {
      gap = now - this.lastArrival;
      // a silence that ended with a held packet (not one after lost ones) was a delay
      if (gap >= this.minStallMs && r - this.lastR >= (gap - FRAME_MS) / 2) {
        this.delaySilences.add(now, gap);
        released = this.young && (this.unusualGap(gap) ?? gap >= FIRST_STALL_MS); // asked only while young
      }
      // the usual gaps: jitter between consecutive frames, not loss runs, not stalls
      if (seq === this.newestSeq && seq === this.lastSeq + 1 && this.stallWarnedSince !== this.lastArrival) usual = 1;
    }
    if (this.young) this.noteYoung(now, r, released);
    this.lastSeq = seq;
    this.arrived = true;
    this.lastArrival = now;
    this.lastR = r;
    this.offsetKnownAtLastArrival = this.offsetKnown;
    this.offsetAtLastArrival = this.offset;
    const blocks = this.blocks;
    const open = blocks.base + blocks.length - 1; // the open block's place (−1 + base: none yet)
    let floor = r;
    if (blocks.length > 0 && now < blocks.startAt(open) + this.blockMs) {
      floor = blocks.floorAt(open);
      if (r < floor) blocks.setFloor(open, (floor = r));
    } else if (blocks.length > 0) {
      const start = blocks.startAt(open);
      this.closeBlock(now);
      blocks.push(start + this.blockMs * Math.floor((now - start) / this.blockMs), r);
    } else {
      blocks.push(now, r);
    }
    this.log.append(now, r - floor, gap, usual);
  }

  /** A round-trip sample at `now`. */
  roundTrip(now: Millis, rttMs: number): void {
    const highest = this.rtts.trackedQuantileTop(1); // the top of the largest one's bin: it beats them all
    this.rttRising = highest !== undefined && this.rtts.size >= 5 && rttMs >= highest + this.rttRiseMs;
    this.rtts.add(now, rttMs);
  }

  /** The smallest round trip of the last 30 s, to a bin (undefined before any): the window the rise check keeps serves the playout target too. */
  smallestRoundTrip(): number | undefined {
    return this.rtts.trackedQuantile(0);
  }

  /** A tick at `now`; the playout runs at offset `offsetMs` (undefined before it starts). */
  tick(now: Millis, offsetMs: number | undefined): void {
    this.offsetKnown = offsetMs !== undefined;
    if (offsetMs !== undefined) {
      this.offset = offsetMs;
      this.noteOffset(now, offsetMs);
    }
    const risk = offsetMs === undefined ? undefined : this.risk(now, offsetMs);
    if (risk === undefined) return;
    const rearm = risk.cause === 'stall' ? this.stallRearmMs : this.rearmMs;
    if (now - this.lastRiskAt[risk.cause] >= rearm) {
      this.events.push({ type: 'degradationLikely', now, cause: risk.cause, ...(risk.inMs === undefined ? {} : { expectedInMs: risk.inMs }) });
    }
    this.lastRiskAt[risk.cause] = now;
    if (risk.cause === 'delay-rising') this.lastRiseRiskAt = now;
    else this.stallWarnedSince = this.lastArrival;
  }

  /** The next warning, if any. */
  pollEvent(): PlayoutEvent | undefined {
    return this.events.length === 0 ? undefined : this.events.shift(); // asked after every input: no builtin call when empty
  }

  /** Keep the smallest offset of the last `BASELINE_MS` at the deque's head. */
  private noteOffset(now: Millis, offsetMs: number): void {
    const ring = this.baseRing;
    const mask = ring.length / 2 - 1; // a power of two
    while (this.baseCount > 0 && ring[2 * ((this.baseHead + this.baseCount - 1) & mask) + 1]! >= offsetMs) this.baseCount--;
    while (this.baseCount > 0 && ring[2 * this.baseHead]! < now - BASELINE_MS) {
      this.baseHead = (this.baseHead + 1) & mask;
      this.baseCount--;
    }
    if (this.baseCount === mask + 1) {
      this.baseHead = (this.baseHead + 1) & mask;
      this.baseCount--;
    }
    const slot = (this.baseHead + this.baseCount) & mask;
    ring[2 * slot] = now;
    ring[2 * slot + 1] = offsetMs;
    this.baseCount++;
  }

  /** A block ended: its floor's step from the previous one teaches the noise; refit the trend; admit old floors. */
  private closeBlock(now: Millis): void {
    const blocks = this.blocks;
    const { base, length: n } = blocks;
    const closed = blocks.floorAt(base + n - 1);
    if (n >= 2) this.steps.add(now, Math.abs(closed - blocks.floorAt(base + n - 2)));
    const pending = this.pendingFloors;
    pending.push(now, closed);
    for (; pending.length > 0 && pending.timeAt(0) <= now - FLOOR_ADMIT_MS; pending.shift()) {
      // the start of a rise is not stationary: floors from around one stay out
      if (this.lastRiseRiskAt < pending.timeAt(0) - FLOOR_ADMIT_MS) this.floors.add(pending.timeAt(0), pending.valueAt(0));
    }
    this.floors.expire(now);
    // the floors' noise, as both fits see it (NaN: too few steps to fit)
    const sigma = this.steps.size < 20 ? NaN : Math.max(0.5, this.steps.trackedQuantile(0.5)! / 0.95);
    this.fit(this.shortFit, this.trendBlocks, sigma);
    this.fit(this.longFit, this.longTrendBlocks, sigma);
  }

  /** Refit `into` over the `blocks` closed blocks before the one just closed, with floor noise `sigma`. */
  private fit(into: TrendFit, blocks: number, sigma: number): void {
    const b = this.blocks;
    const n = b.length - 1; // the fit ends one block back: the block just closed joins it at the next close
    into.floor = n > 0 ? b.floorAt(b.base + n - 1) : 0;
    into.slope = 0;
    into.t = 0;
    if (n < blocks || sigma !== sigma) return;
    // the blocks' flat array read directly, start at 2·place and floor at 2·place + 1 (`Blocks.data`): a
    // block close runs these loops over 25 blocks, and a call per number read cost more than the sums
    const data = b.data;
    const from = 2 * (b.base + n - blocks);
    const end = 2 * (b.base + n);
    let mx = 0;
    let my = 0;
    for (let i = from; i < end; i += 2) {
      mx += data[i]!;
      my += data[i + 1]!;
    }
    mx /= blocks;
    my /= blocks;
    let sxx = 0;
    let sxy = 0;
    for (let i = from; i < end; i += 2) {
      const dx = data[i]! - mx;
      sxx += dx * dx;
      sxy += dx * (data[i + 1]! - my);
    }
    const slope = (into.slope = sxy / sxx);
    // the fitted rise must stand out of the noise and be a fair part of the usual spread above the floor;
    // the noise is at least sigma, so a rise under 2 sigma (most fits: a steady floor) needs no scatter
    const rise = slope * (data[end - 2]! - data[from]!);
    if (!(rise >= 2 * sigma)) return;
    // a floor that wanders (a jittery FIFO path) scatters about its own fit more than its steps say
    let sse = 0;
    for (let i = from; i < end; i += 2) {
      const e = data[i + 1]! - my - slope * (data[i]! - mx);
      sse += e * e; // as e ** 2, bit for bit
    }
    const noise = Math.max(sigma, Math.sqrt(sse / (blocks - 2)));
    const lifted = rise >= 2 * noise && rise >= (this.excursions.trackedQuantile(0.95) ?? 0) / 2;
    if (lifted) into.t = slope / (noise / Math.sqrt(sxx));
  }

  private risk(now: Millis, offsetMs: number): { cause: DegradationCause; inMs?: number } | undefined {
    const stall = this.stallRisk(now, offsetMs);
    if (stall !== undefined) return { cause: 'stall', inMs: stall };
    const minShortT = this.rttRising ? this.minT - 1 : this.minT;
    const short = this.riseRisk(this.trend, this.minSlope, minShortT, offsetMs);
    const long = this.riseRisk(this.longTrend, this.minLongSlope, minShortT - 1, offsetMs);
    const soonest = Math.min(short ?? Infinity, long ?? Infinity);
    return soonest === Infinity ? undefined : { cause: 'delay-rising', inMs: Math.round(soonest) };
  }

  /** When a significant, persistent rise will exhaust the headroom (ms from now), if within the horizon. */
  private riseRisk(trend: Trend, minSlope: number, minT: number, offsetMs: number): number | undefined {
    if (!(trend.slope >= minSlope && trend.t >= minT) || !this.floorLeftItsRange()) return undefined;
    const baseline = this.baseCount > 0 ? this.baseRing[2 * this.baseHead + 1]! : offsetMs;
    const headroom = baseline - trend.floor - (this.excursions.trackedQuantile(0.95) ?? 0);
    const inMs = headroom <= 0 ? 0 : (headroom * (1 + trend.slope)) / trend.slope;
    return inMs <= this.horizonMs ? inMs : undefined;
  }

  /** The last `persistBlocks` closed floors are all above the stationary floors' 95th percentile (or too few are known to say). */
  private floorLeftItsRange(): boolean {
    if (this.floors.size < MIN_REFERENCE_FLOORS) return true;
    const usual = this.floors.trackedQuantileTop(0.95)!; // above the percentile's bin, not just inside it
    const blocks = this.blocks;
    const closed = blocks.base + blocks.length - 1; // the last one is still open
    if (blocks.length - 1 < this.persistBlocks) return false;
    for (let i = closed - this.persistBlocks; i < closed; i++) if (blocks.floorAt(i) < usual) return false;
    return true;
  }

  /**
   * While the stream is young, keep the delays a stall released: the packet that ended a held silence
   * longer than the usual gaps (a stall: `released`) and those that came within 1 ms of each other after it.
   */
  private noteYoung(now: Millis, r: number, released: boolean): void {
    if (Number.isNaN(this.firstArrival)) this.firstArrival = now;
    if (now - this.firstArrival >= YOUNG_STREAM_MS) {
      this.young = false; // for good
      return;
    }
    this.releasing = released || (this.releasing && now - this.lastArrival < 1);
    if (this.releasing) this.youngReleases.add(now, r);
  }

  /** Whether a gap between arrivals is longer than this stream's usual ones: past their 99.5th percentile + a frame and twice their 99th (undefined until 25 are known). */
  private unusualGap(gap: Millis): boolean | undefined {
    const gaps = this.gaps;
    if (gaps.size < 25) return undefined;
    return gap > Math.max(gaps.trackedQuantile(0.995)! + FRAME_MS, 2 * gaps.trackedQuantile(0.99)!);
  }

  /** How soon a silence will harm a frozen playout (ms from now), when it is likely to. */
  private stallRisk(now: Millis, offsetMs: number): number | undefined {
    if (!this.arrived) return undefined;
    const silence = now - this.lastArrival;
    // counted as if the last packet had come at the floor's delay: it may have been slow itself
    const blocks = this.blocks;
    const last = blocks.base + blocks.length - 1;
    const floor = blocks.length >= 2 ? Math.min(blocks.floorAt(last), blocks.floorAt(last - 1)) : this.lastR;
    if (silence + (this.lastR - floor) <= this.minStallMs || this.unusualGap(silence) !== true) return undefined;
    // the silence degrades playout once the frames due meanwhile run out of buffer: three late frames
    const harmfulAt = (this.offsetKnownAtLastArrival ? this.offsetAtLastArrival : offsetMs) - this.lastR + 3 * FRAME_MS;
    const held = this.delaySilences;
    held.expire(now);
    const asLong = held.size * held.fractionAbove(silence);
    // will it last that long? as often as the held silences that got this far went on that far
    if (silence < harmfulAt && (held.size * held.fractionAbove(harmfulAt) + 1) / (asLong + 1) < 0.5) return undefined;
    // is it held packets at all? not if this stream's loss runs explain a silence this long better
    this.lossRuns.expire(now);
    if (this.lossRuns.expectedAtLeast(Math.floor(silence / FRAME_MS)) > asLong + 0.5) return undefined;
    return Math.max(0, Math.round(harmfulAt - silence));
  }
}
