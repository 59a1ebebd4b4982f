/**
 * A sliding window of delay samples with quantiles and tail fractions: a histogram of fine bins, with
 * the counts of blocks of 32 bins and of super-blocks of 32 blocks beside it (`BinCounts`), plus a ring
 * of the samples (each one's time and bin side by side in one array) in arrival order for expiry;
 * optionally a second histogram of its *admitted*
 * samples, the oldest ones up to a time the owner moves on (`admitUntil`), read with `admittedQuantile`.
 *
 * Theory of operation: samples enter with the time they were taken and leave oldest first once they
 * are `spanMs` old (`expire`), newest first with `removeSince`, or all at once with `clear`. Each one
 * counts in the bin of width `binMs` holding its value; bins cover `bins`·`binMs` ms starting at the
 * origin, which is fixed at construction or, by default, centred on the first sample added since the
 * window was created or last cleared (delays include an unknown clock offset), and values outside are
 * counted in the end bins. Order statistics
 * are exact to a bin: `quantile`, `min` and `max` answer a bin's lower edge, `fractionAbove(x)` counts
 * the bins above x's. The fine bins are allocated around the first value and widened (doubling) as
 * values spread, so a window over a narrow spread pages in a few kB, not its whole range. Nothing is
 * allocated per sample; an add or a removal touches three counters (its
 * bin, its block, its super-block: three cache lines, where a tree over the blocks would touch one per
 * level, and it stays in cache when a node plays dozens of streams), and a query sums at most 31
 * counters of each level in order (super-blocks, blocks within one, bins within one; at most 16
 * super-blocks at the default bins): the window costs the same at 60 s of 20 ms frames as at 1 s.
 * The admitted samples are a prefix of the ring (a cursor walks it): admitting one, or expiring or
 * removing one that was admitted, also bumps its bin in the second histogram, which shares the bins,
 * the ring and the expiry, so a lagging view of the same samples costs no second ring. A lazy window
 * defers the counting: an add only writes the sample down (an expiry only notes its horizon), and the
 * next read drops the samples that have expired meanwhile (never counting them) and counts the others,
 * in one sequential pass; a full
 * ring, a size or an admission only drops the expired samples, so a window whose counts are seldom
 * read counts few samples.
 */
import type { Millis } from '../contract.ts';
import { BinCounts, binIndex, BLOCK, BLOCK_BITS, perBinOf, rankOf } from './bin-counts.ts';

/** How a window bins its values. */
export interface DelayWindowBins {
  /** Width of a bin (ms). Default 0.5. */
  readonly binMs?: number;
  /** Number of bins (a power of two, at least 32). Default 16384 (8.192 s at 0.5 ms). */
  readonly bins?: number;
  /** Value of the first bin's lower edge; default: centred on the first sample. */
  readonly origin?: number;
}

/** Slots of the smallest sample ring. */
const MIN_SLOTS = 16;

/** Bins for round-trip times: 1 ms over 0 to 8.192 s. */
export const ROUND_TRIP_BINS: DelayWindowBins = Object.freeze({ origin: 0, binMs: 1, bins: 8192 });

/** A time-windowed multiset of numbers with fast order statistics. */
export class DelayWindow {
  private readonly binMs: number;
  /** 1 / binMs when binMs is a power of two (dividing by it is then exactly multiplying by this), else 0. */
  private readonly perBin: number;
  private readonly bins: number;
  private origin: number | undefined;
  private readonly autoOrigin: boolean;
  private readonly counts: BinCounts;
  /** The admitted samples' counts (created by the first `admitUntil`). */
  private lagged: BinCounts | undefined;
  /**
   * The samples in arrival order: slot `i` holds a sample's time at 2i and the bin it is counted in at
   * 2i + 1 (−1 for a NaN value), side by side, so that an add writes one place of one array (with two
   * arrays it touched two array objects and two data lines); the bins, not the values, are kept (a
   * recentre shifts them by whole bins instead).
   */
  private ring: Float64Array;
  /** Slots in the ring (a power of two). */
  private slots: number;
  private head = 0;
  private count = 0;
  /** The oldest samples of the ring that are admitted. */
  private admittedCount = 0;
  /** Samples are only written to the ring as they come; they are counted, and old ones dropped, when the window is next read. */
  private readonly lazy: boolean;
  /** Lazy: the oldest samples of the ring that are counted in the bins. */
  private counted = 0;
  /** Lazy: the latest expiry horizon not applied yet. */
  private owedHorizon = -Infinity;

  /**
   * A window keeping samples for `spanMs`, sized for `expectedSamples` at once (it grows, doubling, past
   * them: a ring that grows as a 60 s window fills reallocates five times). A `lazy` window only writes
   * a sample down when it is added, and counts it (or drops it unread once expired) when next read:
   * the same answers, for a window read far less often than it is fed.
   */
  constructor(
    readonly spanMs: Millis,
    bins: DelayWindowBins = {},
    expectedSamples = 0,
    lazy = false,
  ) {
    this.lazy = lazy;
    let slots = MIN_SLOTS;
    while (slots < expectedSamples) slots *= 2;
    this.slots = slots;
    this.binMs = bins.binMs ?? 0.5;
    this.bins = bins.bins ?? 16_384;
    this.perBin = perBinOf(this.binMs);
    if (this.bins < BLOCK || (this.bins & (this.bins - 1)) !== 0) throw new RangeError(`bins must be a power of two ≥ ${BLOCK}, got ${this.bins}`);
    this.ring = new Float64Array(2 * slots);
    this.origin = bins.origin;
    this.autoOrigin = bins.origin === undefined;
    this.counts = new BinCounts(this.bins);
  }

  /** Samples in the window. */
  get size(): number {
    if (this.lazy) this.dropOwed(); // a size needs no counting
    return this.count;
  }

  /**
   * Add `value` taken at `at`, and expire what is older than `until − spanMs` (`until` defaults to `at`):
   * the same as `add(at, value)` then `expire(until)`, with the block counts touched once at most.
   */
  add(at: Millis, value: number, until: Millis = at): void {
    this.origin ??= value - (this.bins / 2) * this.binMs;
    if (this.autoOrigin && (value < this.origin || value >= this.origin + this.bins * this.binMs)) this.recentre(value);
    if (this.count === this.slots) {
      if (this.lazy) this.dropOwed();
      if (this.count === this.slots) this.grow();
    }
    const slot = (this.head + this.count) & (this.slots - 1);
    const b = this.bin(value);
    this.ring[2 * slot] = at;
    this.ring[2 * slot + 1] = b === b ? b : -1;
    this.count++;
    if (this.lazy) {
      // expiring by the largest horizon owed drops the same oldest samples as expiring by each in turn
      const horizon = (until > at || until !== until ? until : at) - this.spanMs;
      if (horizon > this.owedHorizon) this.owedHorizon = horizon;
      return;
    }
    // In a full window the sample added and the one it pushes out usually share a block: their
    // changes to the block counts cancel, so they are touched only for a block that changed.
    this.counts.bumpFine(b, 1);
    const owed = this.expireBefore((until > at || until !== until ? until : at) - this.spanMs, b >> BLOCK_BITS);
    if (owed >= 0) this.counts.bumpBlock(owed, 1);
  }

  /** Drop samples taken before `now − spanMs` (a lazy window drops them at its next read: samples come in time order, so the same ones go). */
  expire(now: Millis): void {
    if (this.lazy) {
      const horizon = now - this.spanMs;
      if (horizon > this.owedHorizon) this.owedHorizon = horizon;
      return;
    }
    this.expireBefore(now - this.spanMs, -1);
  }

  /** Lazy: drop the samples the horizons owed expire (uncounting those counted), then count the others. */
  private settle(): void {
    this.dropOwed();
    const mask = this.slots - 1;
    const { head, count, counts } = this;
    for (let k = this.counted; k < count; k++) counts.bump(this.heldBin((head + k) & mask), 1);
    this.counted = count;
  }

  /** Lazy: drop the samples the horizons owed expire, uncounting those counted (a full ring makes room so; the rest waits for a read). */
  private dropOwed(): void {
    // the cursors in locals, stored back once
    const { ring, owedHorizon } = this;
    const mask = this.slots - 1;
    let { head, count, counted, admittedCount } = this;
    while (count > 0 && ring[2 * head]! < owedHorizon) {
      const b = this.heldBin(head);
      if (counted > 0) {
        this.counts.bump(b, -1);
        counted--;
      }
      if (admittedCount > 0) {
        this.lagged!.bump(b, -1);
        admittedCount--;
      }
      head = (head + 1) & mask;
      count--;
    }
    this.head = head;
    this.count = count;
    this.counted = counted;
    this.admittedCount = admittedCount;
    this.owedHorizon = -Infinity;
  }

  /** Admit the samples taken at or before `until` that are not admitted yet (oldest first). */
  admitUntil(until: Millis): void {
    if (this.lazy) this.dropOwed(); // admitting counts in the admitted histogram only
    const lagged = (this.lagged ??= new BinCounts(this.bins));
    const { ring, head, count } = this;
    const mask = this.slots - 1;
    let admitted = this.admittedCount;
    for (; admitted < count; admitted++) {
      const slot = (head + admitted) & mask;
      if (!(ring[2 * slot]! <= until)) break;
      lagged.bump(this.heldBin(slot), 1);
    }
    this.admittedCount = admitted;
  }

  /**
   * Drop samples taken before `horizon`. `owed` is a block a new sample still has to be counted in (−1:
   * none); the first sample dropped from that block settles it instead. Returns the block still owed.
   */
  private expireBefore(horizon: Millis, owed: number): number {
    const ring = this.ring;
    const mask = this.slots - 1;
    const counts = this.counts;
    while (this.count > 0 && ring[2 * this.head]! < horizon) {
      const old = this.heldBin(this.head);
      counts.bumpFine(old, -1);
      if (old >> BLOCK_BITS === owed) owed = -1;
      else counts.bumpBlock(old >> BLOCK_BITS, -1);
      if (this.admittedCount > 0) {
        this.lagged!.bump(old, -1);
        this.admittedCount--;
      }
      this.head = (this.head + 1) & mask;
      this.count--;
    }
    return owed;
  }

  /** Remove the samples taken at or after `since` (the newest ones). */
  removeSince(since: Millis): void {
    if (this.lazy) this.settle();
    while (this.count > 0) {
      const slot = (this.head + this.count - 1) & (this.slots - 1);
      if (this.ring[2 * slot]! < since) break;
      const b = this.heldBin(slot);
      this.counts.bump(b, -1);
      if (this.admittedCount === this.count) {
        this.lagged!.bump(b, -1);
        this.admittedCount--;
      }
      this.count--;
    }
    this.counted = this.count;
  }

  /**
   * A value fell outside the bins (the delay jumped by seconds: a frozen peer, a backlog): move the bins
   * by whole bins to centre them on the span of the held samples and `value`, and count every held
   * sample again in its bin moved as much. Rare, and O(n) when it happens; held samples that were
   * beyond the bins' reach stay where they were counted, at an end, and samples the move leaves beyond
   * it are counted at the nearer end.
   */
  private recentre(value: number): void {
    if (this.lazy) this.settle();
    let lo = this.bins;
    let hi = -1;
    for (let k = 0; k < this.count; k++) {
      const b = this.ring[2 * ((this.head + k) & (this.slots - 1)) + 1]!;
      if (b >= 0 && b < lo) lo = b;
      if (b > hi) hi = b;
    }
    const origin = this.origin!;
    const centre = hi < 0 ? value : (Math.min(value, this.value(lo)) + Math.max(value, this.value(hi))) / 2;
    const shift = Math.round((centre - (this.bins / 2) * this.binMs - origin) / this.binMs);
    this.origin = origin + shift * this.binMs;
    this.counts.zero();
    this.lagged?.zero();
    for (let k = 0; k < this.count; k++) {
      const slot = (this.head + k) & (this.slots - 1);
      const b = this.ring[2 * slot + 1]!;
      if (b < 0) continue;
      const moved = b - shift;
      const bin = moved < 0 ? 0 : moved >= this.bins ? this.bins - 1 : moved;
      this.ring[2 * slot + 1] = bin;
      this.counts.bump(bin, 1);
      if (k < this.admittedCount) this.lagged!.bump(bin, 1);
    }
  }

  /** Forget every sample (an origin centred on a sample is chosen again by the next one). */
  clear(): void {
    this.counts.zero();
    this.lagged?.zero();
    this.head = 0;
    this.count = 0;
    this.admittedCount = 0;
    this.counted = 0;
    this.owedHorizon = -Infinity;
    // an origin centred on a sample (not fixed) centres again on the next one: after a restart the old
    // first sample may be far off (a backlog's), and values outside the bins would all pile up at an end
    if (this.autoOrigin) this.origin = undefined;
  }

  /** The `q` quantile (0..1) by nearest rank, to a bin; undefined when empty. */
  quantile(q: number): number | undefined {
    if (this.lazy) this.settle();
    if (this.count === 0) return undefined;
    return this.value(this.counts.rankBin(rankOf(q, this.count)));
  }

  /**
   * The same as `quantile(q)`, for a `q` asked again and again: its bin is kept as samples come and go
   * and walked to its new place (a bin or two after each change), so asking after every sample is cheap.
   */
  trackedQuantile(q: number): number | undefined {
    if (this.lazy) this.settle();
    if (this.count === 0) return undefined;
    return this.value(this.counts.trackedBin(q, rankOf(q, this.count)));
  }

  /**
   * The upper edge of the bin `trackedQuantile(q)` answers: a value at or above it lies above the `q`
   * quantile at the window's resolution (one in the same bin does not: on a path without jitter every
   * sample shares the quantile's bin, and none of them is above it).
   */
  trackedQuantileTop(q: number): number | undefined {
    const lower = this.trackedQuantile(q);
    return lower === undefined ? undefined : lower + this.binMs;
  }

  /** Smallest sample, to a bin; undefined when empty. */
  get min(): number | undefined {
    if (this.lazy) this.settle();
    return this.count === 0 ? undefined : this.value(this.counts.rankBin(1));
  }

  /** Largest sample, to a bin; undefined when empty. */
  get max(): number | undefined {
    if (this.lazy) this.settle();
    return this.count === 0 ? undefined : this.value(this.counts.rankBin(this.count));
  }

  /** Fraction of samples in bins above `x`'s (0 when empty). */
  fractionAbove(x: number): number {
    if (this.lazy) this.settle();
    if (this.count === 0 || this.origin === undefined) return 0;
    return (this.count - this.counts.prefix(this.bin(x) + 1)) / this.count;
  }

  /** Admitted samples in the window. */
  get admittedSize(): number {
    if (this.lazy) this.dropOwed();
    return this.admittedCount;
  }

  /** `trackedQuantile(q)` of the admitted samples alone. */
  admittedQuantile(q: number): number | undefined {
    if (this.lazy) this.dropOwed();
    if (this.admittedCount === 0) return undefined;
    return this.value(this.lagged!.trackedBin(q, rankOf(q, this.admittedCount)));
  }

  /** `trackedQuantileTop(q)` of the admitted samples alone. */
  admittedQuantileTop(q: number): number | undefined {
    const lower = this.admittedQuantile(q);
    return lower === undefined ? undefined : lower + this.binMs;
  }

  /** The bin the sample in `slot` is counted in (NaN for a NaN value, counted in no bin). */
  private heldBin(slot: number): number {
    const b = this.ring[2 * slot + 1]!;
    return b < 0 ? NaN : b;
  }

  private bin(value: number): number {
    return binIndex(value, this.origin!, this.binMs, this.perBin, this.bins);
  }

  private value(bin: number): number {
    return this.origin! + bin * this.binMs;
  }

  /** Double the ring (it is full): the samples from the head to the end, then those before the head. */
  private grow(): void {
    const ring = new Float64Array(4 * this.slots);
    ring.set(this.ring.subarray(2 * this.head));
    ring.set(this.ring.subarray(0, 2 * this.head), 2 * (this.slots - this.head));
    this.ring = ring;
    this.slots *= 2;
    this.head = 0;
  }
}
