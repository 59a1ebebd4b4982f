/**
 * The delay statistics behind our playout target: a long window of the stationary one-way delay, kept
 * clean of climbs, and whether the delay is currently rising out of it.
 *
 * Theory of operation. Samples are r = arrival − media time. Three views of them are kept:
 *   - `window`: the stationary distribution (60 s). A sample enters at once while the regime is
 *     steady, so the burst a stall releases counts immediately (the target can cover stalls); while
 *     the regime is rising samples stay out, and when a rise is recognised the last 1.5 s of samples
 *     leave again (they were its start).
 *   - `reference`: the same samples, each admitted 1.5 s late and only if no rise was under way around
 *     it. A rise is measured against this yardstick, which a climb cannot drag up with it (measured
 *     against the window itself, the 98th percentile would follow the climb and never be exceeded).
 *   - `recent`: the last second, for envelopes.
 * Regime: *rising* when every sample of the last 300 ms (at least 5, spread over ≥ 150 ms, so that a
 * burst released at one instant says nothing) is above the reference's 98th percentile (above the bin
 * holding it) and the floor's short trend rises out of its noise (a clock that drifts a little lifts
 * every new sample over a percentile of older ones, but not the floor out of its scatter); *steady* again when the recent low comes back under it. A rise that lasts
 * 10 s is a new level, and recent samples all under the reference's 2nd percentile are a fall to one:
 * either way the windows restart from the last second.
 * The last 300 ms are judged in O(1) amortized: a queue of their samples (count and first time) and two
 * monotone deques (their low and high), trimmed as samples come. Should a sample ever come earlier than
 * the one before it, or it or its time be NaN, the judgement falls back for good to scanning `recent`
 * (what the deques stand for), so the answers are the same either way.
 */
import type { Millis } from '../contract.ts';
import { DelayWindow } from './delay-window.ts';
import { SampleQueue } from './sample-queue.ts';

/** The current regime of the delay. */
export type DelayRegimeState = 'steady' | 'rising';

/** A rise lasting this long is a new level, not a transient (ms). */
const NEW_LEVEL_MS = 10_000;

/** The regime is re-judged at most this often, in arrival time (ms). */
const UPDATE_EVERY_MS = 10;

/** The span the regime is judged over (ms). */
const JUDGED_MS = 300;

/** When a rise is recognised, the samples of this last stretch leave the window; the reference lags by as much (ms). */
const RISE_LOOKBACK_MS = 1500;

/** The stationary window, the reference, and the regime. */
export class DelayRegime {
  /** The stationary delay distribution the target is computed from. */
  readonly window: DelayWindow;
  private readonly reference: DelayWindow;
  private readonly pending = new SampleQueue();
  private readonly risingSpans: { start: Millis; end: Millis }[] = [];
  private readonly recent = new SampleQueue();
  /** The samples of the last `JUDGED_MS` (while `scan` is off). */
  private readonly judged = new SampleQueue();
  /** Monotone deques over `judged`: increasing values (the head is the low), decreasing (the head is the high). */
  private readonly lows = new SampleQueue();
  private readonly highs = new SampleQueue();
  /** Set for good once a sample came out of time order or was NaN: the deques no longer hold, `recent` is scanned. */
  private scan = false;
  private current: DelayRegimeState = 'steady';
  private lastUpdate = -Infinity;
  private risingSince = 0;

  /** Windows of `spanMs`. */
  constructor(spanMs: Millis) {
    this.window = new DelayWindow(spanMs);
    this.reference = new DelayWindow(spanMs);
  }

  /** The current regime. */
  get state(): DelayRegimeState {
    return this.current;
  }

  /** Add sample r at `now`; `trendSlope` is the floor's short-range rising slope (ms per ms; 0 when the floor only scatters). */
  add(now: Millis, r: number, trendSlope: number): void {
    if (!this.scan) this.judge(now, r);
    this.recent.push(now, r);
    while (this.recent.length > 0 && this.recent.timeAt(0) < now - 1000) this.recent.shift();
    this.pending.push(now, r);
    // a burst arriving at one instant is judged once, after its last sample
    if (now - this.lastUpdate >= UPDATE_EVERY_MS) {
      this.lastUpdate = now;
      this.update(now, trendSlope);
    }
    if (this.current === 'steady') this.window.add(now, r);
    else this.window.expire(now);
    this.admitToReference(now);
  }

  /** The largest r of the last `ms`, or of the `ms` that ended `agoMs` before the newest sample (−Infinity if none). */
  recentMax(ms: Millis, agoMs: Millis = 0): number {
    let largest = -Infinity;
    const n = this.recent.length;
    if (n === 0) return largest;
    const until = this.recent.timeAt(n - 1) - agoMs;
    const since = until - ms;
    for (let i = n - 1; i >= 0 && this.recent.timeAt(i) >= since; i--) if (this.recent.timeAt(i) <= until) largest = Math.max(largest, this.recent.valueAt(i));
    return largest;
  }

  private update(now: Millis, trendSlope: number): void {
    if (this.reference.size < 25) return;
    let low = Infinity;
    let high = -Infinity;
    let count = 0;
    let first = now;
    if (this.scan) {
      for (let i = this.recent.length - 1; i >= 0 && this.recent.timeAt(i) >= now - JUDGED_MS; i--) {
        const r = this.recent.valueAt(i);
        low = Math.min(low, r);
        high = Math.max(high, r);
        first = this.recent.timeAt(i);
        count++;
      }
    } else if ((count = this.judged.length) > 0) {
      first = this.judged.timeAt(0);
      low = this.lows.valueAt(0);
      high = this.highs.valueAt(0);
    }
    if (count < 5 || now - first < 150) return;
    // at the reference's resolution: below the 2nd percentile's bin, above the 98th's
    const floor = this.reference.trackedQuantile(0.02)!;
    const ceiling = this.reference.trackedQuantileTop(0.98)!;
    if (high < floor) return this.restart(now);
    if (this.current === 'steady') {
      if (low >= ceiling && trendSlope > 0) this.startRise(now);
    } else if (low < ceiling) {
      this.endRise(now);
    } else if (now - this.risingSince > NEW_LEVEL_MS) {
      this.restart(now);
    }
  }

  /** Keep `judged`, `lows` and `highs` over the last `JUDGED_MS` with sample r at `now` in them. */
  private judge(now: Millis, r: number): void {
    const judged = this.judged;
    if (r !== r || now !== now || (judged.length > 0 && now < judged.timeAt(judged.length - 1))) {
      this.scan = true;
      return;
    }
    const lows = this.lows;
    const highs = this.highs;
    while (lows.length > 0 && lows.valueAt(lows.length - 1) >= r) lows.pop();
    while (highs.length > 0 && highs.valueAt(highs.length - 1) <= r) highs.pop();
    judged.push(now, r);
    lows.push(now, r);
    highs.push(now, r);
    const since = now - JUDGED_MS;
    while (judged.timeAt(0) < since) judged.shift();
    while (lows.timeAt(0) < since) lows.shift();
    while (highs.timeAt(0) < since) highs.shift();
  }

  /** The delay moved to a new level: both windows restart from the last second. */
  private restart(now: Millis): void {
    this.window.clear();
    this.reference.clear();
    for (let k = 0; k < this.recent.length; k++) {
      this.window.add(this.recent.timeAt(k), this.recent.valueAt(k));
      this.reference.add(this.recent.timeAt(k), this.recent.valueAt(k));
    }
    this.window.expire(now);
    this.reference.expire(now);
    this.pending.clear();
    this.endRise(now);
  }

  private duringRise(at: Millis): boolean {
    for (const span of this.risingSpans) if (at >= span.start - RISE_LOOKBACK_MS && at <= span.end) return true;
    return false;
  }

  private startRise(now: Millis): void {
    this.current = 'rising';
    this.risingSince = now;
    this.window.removeSince(now - RISE_LOOKBACK_MS);
    this.risingSpans.push({ start: now, end: Infinity });
  }

  private endRise(now: Millis): void {
    this.current = 'steady';
    const last = this.risingSpans[this.risingSpans.length - 1];
    if (last !== undefined && last.end === Infinity) last.end = now;
  }

  private admitToReference(now: Millis): void {
    while (this.pending.length > 0 && this.pending.timeAt(0) <= now - RISE_LOOKBACK_MS) {
      const at = this.pending.timeAt(0);
      const r = this.pending.valueAt(0);
      this.pending.shift();
      // the last one admitted also expires what `now` does, in one go (earlier ones must not: a recentre
      // of the bins by a later one sees what the window held before `now` expired anything)
      const last = this.pending.length === 0 || this.pending.timeAt(0) > now - RISE_LOOKBACK_MS;
      if (!this.duringRise(at)) this.reference.add(at, r, last ? now : at);
    }
    this.reference.expire(now);
    while (this.risingSpans.length > 0 && this.risingSpans[0]!.end < now - 2 * RISE_LOOKBACK_MS) this.risingSpans.shift();
  }
}
