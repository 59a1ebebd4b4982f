/**
 * NetEQ's target delay (libwebrtc modules/audio_coding/neteq, about 2023): relative arrival delays, a
 * forgetting histogram, and the target at its 0.95 quantile.
 *
 * Theory of operation. `PacketArrivalHistory` keeps the packets of the last 2 s of media time; the
 * reference is the one with the smallest arrival − media time, and a packet's relative delay is
 * max(0, (arrival − arrival_ref) − (media − media_ref)). `UnderrunOptimizer` takes the largest
 * relative delay of each 500 ms interval (an interval closes at the first arrival more than 500 ms after
 * it opened) into `DelayHistogram`, 100 buckets of 20 ms: every bucket is multiplied by the forgetting
 * factor f and the observed one gets 1 − f; f starts at 0 and is 1 − 2/(n + 1) after n updates, capped at
 * 0.983. The target is (1 + the bucket at the 0.95 quantile) × 20 ms, 80 ms until the first update,
 * at most 75 % of 200 packets. libwebrtc works in Q30/Q15 fixed point; this is the same arithmetic in
 * floating point.
 */
import type { Millis } from '../contract.ts';

/** Width of a histogram bucket (ms). */
export const NETEQ_BUCKET_MS = 20;

/** Buckets in the histogram (delays of 2 s and more are not registered). */
export const NETEQ_BUCKETS = 100;

/** The steady-state forgetting factor. */
export const NETEQ_FORGET_FACTOR = 0.983;

/** The start-up forgetting weight: f = 1 − weight / (updates + 1). */
export const NETEQ_START_FORGET_WEIGHT = 2;

/** The quantile the target covers. */
export const NETEQ_QUANTILE = 0.95;

/** The target before the first histogram update (ms). */
export const NETEQ_START_DELAY_MS = 80;

/** How often the largest delay goes into the histogram (ms). */
export const NETEQ_RESAMPLE_INTERVAL_MS = 500;

/** The window of the arrival history (ms of media time). */
export const NETEQ_HISTORY_MS = 2000;

/** NetEQ's forgetting histogram of delays. */
export class DelayHistogram {
  /** Bucket probabilities (they sum to 1). */
  readonly buckets: number[];
  /** The forgetting factor the next update will use. */
  forgetFactor = 0;
  /** Updates so far. */
  updates = 0;

  /** A histogram of `size` buckets, reset to NetEQ's initial 0.5^(i+1) shape. */
  constructor(
    size = NETEQ_BUCKETS,
    private readonly baseForgetFactor = NETEQ_FORGET_FACTOR,
    private readonly startForgetWeight = NETEQ_START_FORGET_WEIGHT,
  ) {
    this.buckets = Array.from({ length: size }, (_, i) => 0.5 ** (i + 1));
  }

  /** Register one observation in bucket `index`. */
  add(index: number): void {
    const f = this.forgetFactor;
    for (let i = 0; i < this.buckets.length; i++) this.buckets[i]! *= f;
    this.buckets[index]! += 1 - f;
    this.updates++;
    if (this.forgetFactor !== this.baseForgetFactor) {
      this.forgetFactor = Math.max(0, Math.min(this.baseForgetFactor, 1 - this.startForgetWeight / (this.updates + 1)));
    }
  }

  /** The first bucket whose cumulative probability reaches `q`. */
  quantile(q: number): number {
    let index = 0;
    let rest = 1 - this.buckets[0]!;
    while (rest > 1 - q && index < this.buckets.length - 1) rest -= this.buckets[++index]!;
    return index;
  }
}

/** NetEQ's arrival history: relative delays against the minimum-delay packet of the last 2 s. */
export class PacketArrivalHistory {
  private readonly history: { readonly mediaMs: Millis; readonly arrivalMs: Millis }[] = [];
  private newestMedia = -Infinity;

  /** Packets in the window. */
  get size(): number {
    return this.history.length;
  }

  /** Record a packet; returns true when it is the newest media time so far (not reordered). */
  insert(mediaMs: Millis, arrivalMs: Millis): boolean {
    const newest = mediaMs > this.newestMedia;
    if (newest) this.newestMedia = mediaMs;
    this.history.push({ mediaMs, arrivalMs });
    while (this.history.length > 0 && this.history[0]!.mediaMs + NETEQ_HISTORY_MS < mediaMs) this.history.shift();
    return newest;
  }

  /** Relative delay of a packet with `mediaMs` arriving at `arrivalMs` (ms, at least 0). */
  delayMs(mediaMs: Millis, arrivalMs: Millis): number {
    let ref: { readonly mediaMs: Millis; readonly arrivalMs: Millis } | undefined;
    for (const p of this.history) if (ref === undefined || p.arrivalMs - p.mediaMs <= ref.arrivalMs - ref.mediaMs) ref = p;
    if (ref === undefined) return 0;
    return Math.max(0, arrivalMs - ref.arrivalMs - (mediaMs - ref.mediaMs));
  }
}

/** NetEQ's underrun optimizer: the largest delay of each 500 ms into the histogram, target at its quantile. */
export class UnderrunOptimizer {
  /** The histogram. */
  readonly histogram = new DelayHistogram();
  private intervalStart: Millis | undefined;
  private maxInInterval = 0;
  private optimal: number | undefined;

  /** Feed the relative delay of a packet that arrived at `now`. */
  update(relativeDelayMs: number, now: Millis): void {
    let observed: number | undefined;
    if (this.intervalStart === undefined) this.intervalStart = now;
    if (now - this.intervalStart > NETEQ_RESAMPLE_INTERVAL_MS) {
      observed = this.maxInInterval;
      this.intervalStart = now;
      this.maxInInterval = 0;
    }
    this.maxInInterval = Math.max(this.maxInInterval, relativeDelayMs);
    if (observed === undefined) return;
    const index = Math.floor(observed / NETEQ_BUCKET_MS);
    if (index < this.histogram.buckets.length) this.histogram.add(index);
    this.optimal = (1 + this.histogram.quantile(NETEQ_QUANTILE)) * NETEQ_BUCKET_MS;
  }

  /** The optimal delay so far (ms), undefined before the first histogram update. */
  get optimalDelayMs(): number | undefined {
    return this.optimal;
  }
}

/** NetEQ's delay manager: the target delay from arrivals. */
export class NetEqDelayManager {
  /** The arrival history. */
  readonly history = new PacketArrivalHistory();
  /** The underrun optimizer. */
  readonly underrun = new UnderrunOptimizer();

  /** @param maxTargetMs the cap: 75 % of the buffer (200 packets of 20 ms: 3000 ms). */
  constructor(private readonly maxTargetMs = 3000) {}

  /** A packet arrived; returns its relative delay when one could be computed. */
  arrived(mediaMs: Millis, arrivalMs: Millis): number | undefined {
    this.history.insert(mediaMs, arrivalMs);
    if (this.history.size < 2) return undefined;
    const delay = this.history.delayMs(mediaMs, arrivalMs);
    this.underrun.update(delay, arrivalMs);
    return delay;
  }

  /** The target delay (ms). */
  get targetMs(): number {
    return Math.min(this.underrun.optimalDelayMs ?? NETEQ_START_DELAY_MS, this.maxTargetMs);
  }
}
