/**
 * The ground truth of one link's delay: the plain mean one-way delay of the packets that cleared it
 * in the last `TRUE_DELAY_WINDOW_MS` (up to the latest one), for judging estimates against.
 *
 * Theory of operation: a ring of (arrival time, delay) with a running sum; each new packet pushes one
 * entry and expires those older than the window, so a packet counts fully for exactly the window and
 * then not at all. (An exponential average would remember a 400 ms stall for three of its time
 * constants, long after any estimator should have let it go.) The sum is recomputed from the ring
 * whenever the ring empties to the one new entry, so rounding never accumulates across quiet spells.
 */

/** Span of the ground-truth mean delay (ms): the span the time sync's estimate covers at its default interval. */
export const TRUE_DELAY_WINDOW_MS = 5000;

/** The recent mean delay of one link direction. */
export class DelayTruth {
  private times = new Float64Array(256);
  private delays = new Float64Array(256);
  private head = 0;
  private count = 0;
  private sum = 0;

  /** Mean delay of the packets of the window (ms); undefined before the first packet. */
  get meanMs(): number | undefined {
    return this.count === 0 ? undefined : this.sum / this.count;
  }

  /** A packet that took `delayMs` cleared the link at `now`. */
  add(now: number, delayMs: number): void {
    const horizon = now - TRUE_DELAY_WINDOW_MS;
    let mask = this.times.length - 1;
    while (this.count > 0 && this.times[this.head]! < horizon) {
      this.sum -= this.delays[this.head]!;
      this.head = (this.head + 1) & mask;
      this.count--;
    }
    if (this.count === this.times.length) mask = this.grow();
    const slot = (this.head + this.count) & mask;
    this.times[slot] = now;
    this.delays[slot] = delayMs;
    this.count++;
    this.sum = this.count === 1 ? delayMs : this.sum + delayMs;
  }

  /** Double the ring; returns the new index mask. */
  private grow(): number {
    const n = this.times.length;
    const times = new Float64Array(2 * n);
    const delays = new Float64Array(2 * n);
    for (let k = 0; k < this.count; k++) {
      times[k] = this.times[(this.head + k) & (n - 1)]!;
      delays[k] = this.delays[(this.head + k) & (n - 1)]!;
    }
    this.times = times;
    this.delays = delays;
    this.head = 0;
    return 2 * n - 1;
  }
}
