/**
 * A queue of (time, value) samples in time order, for the sliding spans of the playout statistics.
 *
 * Theory of operation: a ring of (time, value) pairs side by side in one flat array that doubles when
 * full, so pushing a sample allocates nothing once the ring has grown to the span's size, and writes
 * one place of one array (a pair shares its cache line: a stream's queue costs a line every four
 * samples, not one in each of two arrays); samples leave oldest first (`shift`) or all at once
 * (`clear`), and are read by age (`timeAt`, `valueAt`, 0 being the oldest).
 */
import type { Millis } from '../contract.ts';

/** Samples (time, value) in time order, a growable ring of pairs in one flat array (a power of two of them): no allocation per sample. */
export class SampleQueue {
  /** Sample `k` of the ring at 2k (time) and 2k + 1 (value). */
  private pairs = new Float64Array(2 * 64);
  /** Ring slots − 1. */
  private mask = 63;
  private head = 0;
  /** Samples held. */
  length = 0;

  /** Add the newest sample. */
  push(at: Millis, r: number): void {
    if (this.length === this.mask + 1) this.grow();
    const i = 2 * ((this.head + this.length++) & this.mask);
    this.pairs[i] = at;
    this.pairs[i + 1] = r;
  }

  /** Drop the oldest sample. */
  shift(): void {
    this.head = (this.head + 1) & this.mask;
    this.length--;
  }

  /** Time of the `k`-th oldest sample. */
  timeAt(k: number): Millis {
    return this.pairs[2 * ((this.head + k) & this.mask)]!;
  }

  /** Value of the `k`-th oldest sample. */
  valueAt(k: number): number {
    return this.pairs[2 * ((this.head + k) & this.mask) + 1]!;
  }

  /** Drop every sample. */
  clear(): void {
    this.head = this.length = 0;
  }

  private grow(): void {
    const pairs = new Float64Array(2 * this.pairs.length);
    for (let k = 0; k < this.length; k++) {
      pairs[2 * k] = this.timeAt(k);
      pairs[2 * k + 1] = this.valueAt(k);
    }
    this.pairs = pairs;
    this.mask = 2 * this.mask + 1;
    this.head = 0;
  }
}
