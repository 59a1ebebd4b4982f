/**
 * A sliding window of delay samples kept sorted, for quantiles and tail fractions in O(log n).
 *
 * Theory of operation: samples enter with the time they were taken and leave, oldest first, once they
 * are `spanMs` old (`expire`) or when `clear` starts a new regime. They live twice: in arrival order (a
 * queue, for expiry) and sorted (for order statistics). Insertion and removal in the sorted copy are a
 * binary search and a splice, which is cheap at the few hundred samples a playout window holds.
 */
import type { Millis } from '../contract.ts';

/** A time-windowed sorted multiset of numbers. */
export class DelayWindow {
  private readonly byTime: { readonly at: Millis; readonly value: number }[] = [];
  private head = 0;
  private readonly sorted: number[] = [];

  /** A window keeping samples for `spanMs`. */
  constructor(readonly spanMs: Millis) {}

  /** Samples in the window. */
  get size(): number {
    return this.sorted.length;
  }

  /** Add `value` taken at `at`, and expire what is older than `at − spanMs`. */
  add(at: Millis, value: number): void {
    this.byTime.push({ at, value });
    this.sorted.splice(upperBound(this.sorted, value), 0, value);
    this.expire(at);
  }

  /** Drop samples taken before `now − spanMs`. */
  expire(now: Millis): void {
    while (this.head < this.byTime.length && this.byTime[this.head]!.at < now - this.spanMs) {
      const { value } = this.byTime[this.head++]!;
      this.sorted.splice(lowerBound(this.sorted, value), 1);
    }
    if (this.head > 256 && this.head * 2 > this.byTime.length) {
      this.byTime.splice(0, this.head);
      this.head = 0;
    }
  }

  /** Forget every sample. */
  clear(): void {
    this.byTime.length = 0;
    this.head = 0;
    this.sorted.length = 0;
  }

  /** The `q` quantile (0..1) by nearest rank; undefined when empty. */
  quantile(q: number): number | undefined {
    if (this.sorted.length === 0) return undefined;
    const i = Math.min(this.sorted.length - 1, Math.max(0, Math.ceil(q * this.sorted.length) - 1));
    return this.sorted[i];
  }

  /** Smallest sample; undefined when empty. */
  get min(): number | undefined {
    return this.sorted[0];
  }

  /** Largest sample; undefined when empty. */
  get max(): number | undefined {
    return this.sorted[this.sorted.length - 1];
  }

  /** Fraction of samples strictly above `x` (0 when empty). */
  fractionAbove(x: number): number {
    const n = this.sorted.length;
    return n === 0 ? 0 : (n - upperBound(this.sorted, x)) / n;
  }

  /** Samples in arrival order, oldest first (a copy). */
  values(): { readonly at: Millis; readonly value: number }[] {
    return this.byTime.slice(this.head);
  }
}

function lowerBound(xs: readonly number[], x: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function upperBound(xs: readonly number[], x: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
