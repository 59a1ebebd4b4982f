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
 * mean several times in one exchange).
 */
import type { Millis } from '../contract.ts';

/** A sliding-window mean of timed samples. */
export class SlidingMean {
  private readonly slotMs: number;
  private readonly sums: Float64Array;
  private readonly counts: Float64Array;
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
  }

  /** Add `value`, taken at `at` (times in order; an earlier time than the last starts afresh). */
  add(at: Millis, value: number): void {
    const slot = Math.floor(at / this.slotMs);
    if (slot !== this.newest) this.advance(slot);
    this.sums[this.newestAt]! += value;
    this.counts[this.newestAt]!++;
    this.meanFresh = false;
  }

  /** The mean of the samples of the span up to `now`; undefined when there are none. */
  mean(now: Millis): number | undefined {
    const slot = Math.floor(now / this.slotMs);
    if (slot === this.newest && this.meanFresh) return this.lastMean;
    this.advance(slot);
    let sum = 0;
    let count = 0;
    for (let i = 0; i < this.sums.length; i++) {
      sum += this.sums[i]!;
      count += this.counts[i]!;
    }
    this.meanFresh = true;
    return (this.lastMean = count === 0 ? undefined : sum / count);
  }

  /** Forget every sample. */
  clear(): void {
    this.sums.fill(0);
    this.counts.fill(0);
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
      this.newestAt = this.index(slot);
    } else {
      // step the ring position along with the slot (`newestAt` is the newest slot's index): no division
      let at = this.newestAt;
      for (let s = this.newest + 1; s <= slot; s++) {
        at = at + 1 === n ? 0 : at + 1;
        this.sums[at] = 0;
        this.counts[at] = 0;
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
