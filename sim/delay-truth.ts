/**
 * The ground truth of one link's delay: the plain mean one-way delay of the packets that cleared it
 * in the last `TRUE_DELAY_WINDOW_MS` (up to the latest one), for judging estimates against.
 *
 * Theory of operation: a ring of (arrival time, delay) with a running sum; each new packet pushes one
 * entry and expires those older than the window, so a packet counts fully for exactly the window and
 * then not at all. (An exponential average would remember a 400 ms stall for three of its time
 * constants, long after any estimator should have let it go.) The sum is recomputed from the ring
 * whenever the ring empties to the one new entry, so rounding never accumulates across quiet spells.
 * The sum is kept lazily: a packet is only written down, and the next read (or a full ring) replays
 * the packets written since, in order, each expiring what it expires and then joining the sum: the
 * same operations in the same order as at every packet, so the same mean to the last bit, in one
 * sequential pass instead of a visit to the ring's far end per packet.
 */

/** Span of the ground-truth mean delay (ms): the span the time sync's estimate covers at its default interval. */
export const TRUE_DELAY_WINDOW_MS = 5000;

/** The recent mean delay of one link direction. */
export class DelayTruth {
  private times = new Float64Array(256);
  private delays = new Float64Array(256);
  private head = 0;
  /** Entries in the ring: the window's, then `pending` newer ones not yet replayed. */
  private count = 0;
  private pending = 0;
  private sum = 0;

  /** Mean delay of the packets of the window (ms); undefined before the first packet. */
  get meanMs(): number | undefined {
    this.settle();
    return this.count === 0 ? undefined : this.sum / this.count;
  }

  /** A packet that took `delayMs` cleared the link at `now` (not before the previous one). */
  add(now: number, delayMs: number): void {
    if (this.count === this.times.length) {
      this.settle();
      // keep room for as many packets again as the window holds, so replays come in long runs
      if (2 * this.count > this.times.length) this.grow();
    }
    const slot = (this.head + this.count) & (this.times.length - 1);
    this.times[slot] = now;
    this.delays[slot] = delayMs;
    this.count++;
    this.pending++;
  }

  /** Replay the pending packets in order: each expires the entries older than its window, then joins the sum. */
  private settle(): void {
    const times = this.times;
    const delays = this.delays;
    const mask = times.length - 1;
    while (this.pending > 0) {
      const slot = (this.head + this.count - this.pending) & mask;
      const horizon = times[slot]! - TRUE_DELAY_WINDOW_MS;
      let settled = this.count - this.pending;
      while (settled > 0 && times[this.head]! < horizon) {
        this.sum -= delays[this.head]!;
        this.head = (this.head + 1) & mask;
        this.count--;
        settled--;
      }
      this.sum = settled === 0 ? delays[slot]! : this.sum + delays[slot]!;
      this.pending--;
    }
  }

  /** Double the ring. */
  private grow(): void {
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
  }
}
