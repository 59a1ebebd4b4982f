/**
 * The delay statistics behind our playout target: a long window of the stationary one-way delay, kept
 * clean of climbs, and whether the delay is currently rising out of it.
 *
 * Theory of operation. Samples are r = arrival − media time. Three views of them are kept:
 *   - `window`: the stationary distribution (60 s). A sample enters at once while the regime is
 *     steady, so the burst a stall releases counts immediately (the target can cover stalls); while
 *     the regime is rising samples stay out, and when a rise is recognised the last 1.5 s of samples
 *     leave again (they were its start).
 *   - `reference`: the window's samples once they are 1.5 s old (admitted in batches every 100 ms,
 *     after which its 2nd and 98th percentiles are read once; the window counts them in a second
 *     histogram over its own ring). A rise's samples never enter the window and its first 1.5 s leave
 *     it before they are admitted, so none from around a rise do. A rise is measured against this
 *     yardstick, which a climb cannot drag up with it (measured against the window itself, the 98th
 *     percentile would follow the climb and never be exceeded). After a restart it holds the same
 *     samples as the window at once.
 *   - `recent`: the last second, for envelopes.
 * Regime: *rising* when every sample of the last 300 ms (at least 5, spread over ≥ 150 ms, so that a
 * burst released at one instant says nothing) is above the reference's 98th percentile (above the bin
 * holding it) and the floor's short trend rises out of its noise (a clock that drifts a little lifts
 * every new sample over a percentile of older ones, but not the floor out of its scatter); *steady* again when the recent low comes back under it. A rise that lasts
 * 10 s is a new level, and recent samples all under the reference's 2nd percentile are a fall to one:
 * either way the windows restart from the last second.
 * Each arrival costs O(1) while steady: only the newest sample can tip the verdict (all of the last
 * 300 ms above the 98th percentile needs it above; all of them under the 2nd percentile needs it
 * under), so the last 300 ms of `recent` are scanned only when it is past one of those two marks with
 * the trend upward, or while the regime is rising (and only then is the window's size asked).
 * The window is lazy: an arrival only writes its sample down in the window's ring; the samples are
 * counted (or dropped uncounted once expired) when the window is next read: by the reference's
 * admission every 100 ms and the target's refresh every 200 ms, a few samples at a time, so an
 * arrival touches neither histogram (a group call's dozens of streams keep them out of cache).
 */
import type { Millis } from '../contract.ts';
import { DelayWindow } from './delay-window.ts';
import { FRAME_MS } from './playout.ts';
import { SampleQueue } from './sample-queue.ts';

/** The current regime of the delay. */
export type DelayRegimeState = 'steady' | 'rising';

/** A rise lasting this long is a new level, not a transient (ms). */
const NEW_LEVEL_MS = 10_000;

/** The regime is re-judged at most this often, in arrival time (ms). */
const UPDATE_EVERY_MS = 10;

/** The span the regime is judged over (ms). */
const JUDGED_MS = 300;

/** Samples 1.5 s old join the reference in batches this often (ms). */
const ADMIT_EVERY_MS = 100;

/** When a rise is recognised, the samples of this last stretch leave the window; the reference lags by as much (ms). */
const RISE_LOOKBACK_MS = 1500;

/** The stationary window, the reference, and the regime. */
export class DelayRegime {
  /** The stationary delay distribution the target is computed from. */
  readonly window: DelayWindow;
  private readonly recent = new SampleQueue();
  private current: DelayRegimeState = 'steady';
  private lastUpdate = -Infinity;
  private risingSince = 0;
  /** When the next batch of samples joins the reference. */
  private admitDue = -Infinity;
  /** The reference's 2nd percentile (the bin's lower edge) and 98th (the bin's upper edge), as of the last batch. */
  private floor = NaN;
  private ceiling = NaN;

  /** Windows of `spanMs`. */
  constructor(spanMs: Millis) {
    this.window = new DelayWindow(spanMs, {}, spanMs / FRAME_MS, true);
  }

  /** The current regime. */
  get state(): DelayRegimeState {
    return this.current;
  }

  /** Add sample r at `now`; `trendSlope` is the floor's short-range rising slope (ms per ms; 0 when the floor only scatters). */
  add(now: Millis, r: number, trendSlope: number): void {
    this.recent.push(now, r);
    while (this.recent.length > 0 && this.recent.timeAt(0) < now - 1000) this.recent.shift();
    // a burst arriving at one instant is judged once, after its last sample
    if (now - this.lastUpdate >= UPDATE_EVERY_MS) {
      this.lastUpdate = now;
      this.update(now, r, trendSlope);
    }
    if (this.current === 'steady') this.window.add(now, r);
    else this.window.expire(now);
    if (now >= this.admitDue) {
      this.admitDue = now + ADMIT_EVERY_MS;
      this.admitToReference(now);
    }
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

  /** Re-judge the regime at `now`, `newest` being the sample just added. */
  private update(now: Millis, newest: number, trendSlope: number): void {
    const floor = this.floor;
    const ceiling = this.ceiling;
    // steady, the verdict needs every sample judged under the floor or (rising) above the ceiling: the
    // newest first (checked before the window's size: most arrivals then touch no more of the window)
    if (this.current === 'steady' && !(newest < floor) && !(newest >= ceiling && trendSlope > 0)) return;
    if (this.window.admittedSize < 25) return;
    let low = Infinity;
    let high = -Infinity;
    let count = 0;
    let first = now;
    for (let i = this.recent.length - 1; i >= 0 && this.recent.timeAt(i) >= now - JUDGED_MS; i--) {
      const r = this.recent.valueAt(i);
      low = Math.min(low, r);
      high = Math.max(high, r);
      first = this.recent.timeAt(i);
      count++;
    }
    if (count < 5 || now - first < 150) return;
    if (high < floor) return this.restart(now);
    if (this.current === 'steady') {
      if (low >= ceiling && trendSlope > 0) this.startRise(now);
    } else if (low < ceiling) {
      this.endRise();
    } else if (now - this.risingSince > NEW_LEVEL_MS) {
      this.restart(now);
    }
  }

  /** The delay moved to a new level: both windows restart from the last second. */
  private restart(now: Millis): void {
    this.window.clear();
    for (let k = 0; k < this.recent.length; k++) this.window.add(this.recent.timeAt(k), this.recent.valueAt(k));
    this.window.expire(now);
    // the reference restarts from the same samples, at once
    this.window.admitUntil(now);
    this.readReference();
    this.endRise();
  }

  /** Read the reference's 2nd and 98th percentiles, at its resolution: below the 2nd's bin, above the 98th's. */
  private readReference(): void {
    this.floor = this.window.admittedQuantile(0.02) ?? NaN;
    this.ceiling = this.window.admittedQuantileTop(0.98) ?? NaN;
  }

  private startRise(now: Millis): void {
    this.current = 'rising';
    this.risingSince = now;
    this.window.removeSince(now - RISE_LOOKBACK_MS);
  }

  private endRise(): void {
    this.current = 'steady';
  }

  /** The window's samples 1.5 s old join the reference. */
  private admitToReference(now: Millis): void {
    this.window.admitUntil(now - RISE_LOOKBACK_MS);
    this.readReference();
  }

}
