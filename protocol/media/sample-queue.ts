/**
 * A queue of (time, value) samples in time order, for the sliding spans of the playout statistics.
 *
 * Theory of operation: a ring of two flat arrays that doubles when full, so pushing a sample allocates
 * nothing once the ring has grown to the span's size; samples leave oldest first (`shift`) or all at
 * once (`clear`), and are read by age (`timeAt`, `valueAt`, 0 being the oldest).
 */
import type { Millis } from '../contract.ts';

/** Samples (time, value) in time order, a growable ring of flat arrays (a power of two long): no allocation per sample. */
export class SampleQueue {
  private at = new Float64Array(64);
  private r = new Float64Array(64);
  private head = 0;
  /** Samples held. */
  length = 0;

  /** Add the newest sample. */
  push(at: Millis, r: number): void {
    if (this.length === this.at.length) this.grow();
    const i = (this.head + this.length++) & (this.at.length - 1);
    this.at[i] = at;
    this.r[i] = r;
  }

  /** Drop the oldest sample. */
  shift(): void {
    this.head = (this.head + 1) & (this.at.length - 1);
    this.length--;
  }

  /** Time of the `k`-th oldest sample. */
  timeAt(k: number): Millis {
    return this.at[(this.head + k) & (this.at.length - 1)]!;
  }

  /** Value of the `k`-th oldest sample. */
  valueAt(k: number): number {
    return this.r[(this.head + k) & (this.r.length - 1)]!;
  }

  /** Drop every sample. */
  clear(): void {
    this.head = this.length = 0;
  }

  private grow(): void {
    const at = new Float64Array(this.at.length * 2);
    const r = new Float64Array(this.at.length * 2);
    for (let k = 0; k < this.length; k++) {
      at[k] = this.timeAt(k);
      r[k] = this.valueAt(k);
    }
    this.at = at;
    this.r = r;
    this.head = 0;
  }
}
