/**
 * The plain mean of the samples of about the last `spanMs`: the audio's mean delays behind the time
 * sync's delay halves.
 *
 * Theory of operation: the span is cut into `buckets` slots of time, each keeping the sum and count of
 * its samples, in a ring; a sample adds to its slot's two figures (two additions, fed 50 times a second
 * per stream), and a slot is emptied when time moves past it. The mean sums the slots afresh (so
 * rounding never accumulates), over the current slot and the `buckets − 1` before it: between
 * (buckets − 1)/buckets of the span and all of it. Time that goes back (a clock stepped back) empties
 * every slot. The last mean is kept until a sample or time moves it (the time sync asks for the same
 * mean several times in one exchange). The afresh sum is kept as prefix sums in ring order, so a mean
 * adds up again only the slots from the first one written since the last mean (the same additions in
 * the same order: the same sum to the last bit); the count, a sum of whole numbers, is kept running.
 */
import type { Millis } from '../contract.ts';

/** A sliding-window mean of timed samples. */
export class SlidingMean {
  private readonly slotMs: number;
  private readonly sums: Float64Array;
  private readonly counts: Float64Array;
  /** prefix[i]: the slots' sums added up in ring order, 0 + sums[0] + … + sums[i − 1]; valid for i ≤ `validTo`. */
  private readonly prefix: Float64Array;
  private validTo = 0;
  /** The samples in the ring (the counts' sum, exact: whole numbers). */
  private total = 0;
  /** The slot (time ÷ slotMs, floored) the ring's newest position holds, and that position. */
  private newest = -Infinity;
  private newestAt = 0;
  /** The last mean, valid while `meanFresh` (no sample and no move of the newest slot since). */
  private lastMean: number | undefined;
  private meanFresh = false;

  /** A mean over about the last `spanMs` (ms), in `buckets` slots. */
  constructor(
    readonly spanMs: Millis,
    buckets = 50,
  ) {
    this.slotMs = spanMs / buckets;
    this.sums = new Float64Array(buckets);
    this.counts = new Float64Array(buckets);
    this.prefix = new Float64Array(buckets + 1);
  }

  /** Add `value`, taken at `at` (times in order; an earlier time than the last starts afresh). */
  add(at: Millis, value: number): void {
    const slot = Math.floor(at / this.slotMs);
    if (slot !== this.newest) this.advance(slot);
    this.sums[this.newestAt]! += value;
    this.counts[this.newestAt]!++;
    this.total++;
    if (this.newestAt < this.validTo) this.validTo = this.newestAt;
    this.meanFresh = false;
  }

  /** The mean of the samples of the span up to `now`; undefined when there are none. */
  mean(now: Millis): number | undefined {
    const slot = Math.floor(now / this.slotMs);
    if (slot === this.newest && this.meanFresh) return this.lastMean;
    this.advance(slot);
    const sums = this.sums;
    const prefix = this.prefix;
    const n = sums.length;
    for (let i = this.validTo; i < n; i++) prefix[i + 1] = prefix[i]! + sums[i]!;
    this.validTo = n;
    this.meanFresh = true;
    return (this.lastMean = this.total === 0 ? undefined : prefix[n]! / this.total);
  }

  /** Forget every sample. */
  clear(): void {
    this.sums.fill(0);
    this.counts.fill(0);
    this.total = 0;
    this.validTo = 0;
    this.newest = -Infinity;
    this.meanFresh = false;
  }

  /** Move the newest slot on to `slot`, emptying the slots time passed over. */
  private advance(slot: number): void {
    if (slot === this.newest) return;
    this.meanFresh = false;
    const n = this.sums.length;
    // far ahead, or back (the clock was stepped back: the samples' times no longer say how old they are)
    if (slot - this.newest >= n || slot < this.newest) {
      this.sums.fill(0);
      this.counts.fill(0);
      this.total = 0;
      this.validTo = 0;
      this.newestAt = this.index(slot);
    } else {
      // step the ring position along with the slot (`newestAt` is the newest slot's index): no division
      let at = this.newestAt;
      for (let s = this.newest + 1; s <= slot; s++) {
        at = at + 1 === n ? 0 : at + 1;
        this.total -= this.counts[at]!;
        this.sums[at] = 0;
        this.counts[at] = 0;
        if (at < this.validTo) this.validTo = at;
      }
      this.newestAt = at;
    }
    this.newest = slot;
  }

  /** The ring position of `slot` (clocks may read below zero). */
  private index(slot: number): number {
    const n = this.sums.length;
    return ((slot % n) + n) % n;
  }
}
