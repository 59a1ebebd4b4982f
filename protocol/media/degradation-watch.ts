/**
 * Our degradation predictor: raises `degradationLikely` ahead of late loss, from the one-way delay trend
 * of the stream itself, the round trip, and silences.
 *
 * Theory of operation. Two causes are watched.
 *   - `delay-rising`: every arrival gives a relative one-way delay r = arrival − media time (the clock
 *     offset is constant, so its trend is the trend of the true delay, the forward half of the round
 *     trip, sampled every 20 ms). A least-squares slope s over the last `trendWindowMs` that is steep
 *     (≥ `minSlope`) and significant (t ≥ `minT`) projects when the delay will eat the buffer's
 *     headroom h (playout offset − the largest recent r): playout reaches the delay of frames sent now
 *     after h·(1 + s)/s. A projection inside `horizonMs` is a risk. A round trip rising by more than
 *     `rttRiseMs` over its minimum lowers the slope needed to half (the time sync corroborates).
 *   - `stall`: nothing arrived for longer than the gaps this stream normally has (the 99.5th percentile
 *     of recent inter-arrival gaps plus a frame), and at least `minStallMs`.
 * A warning is raised when a risk appears after at least `rearmMs` without one, so one episode gives one
 * warning.
 */
import type { Millis } from '../contract.ts';
import { DelayWindow } from './delay-window.ts';
import { FRAME_MS, type DegradationCause, type PlayoutEvent } from './playout.ts';

/** Tuning of the predictor. */
export interface DegradationWatchOptions {
  /** Span of the delay-trend regression (ms). Default 600. */
  readonly trendWindowMs?: number;
  /** Least slope (ms of delay per ms) that counts as rising. Default 0.03. */
  readonly minSlope?: number;
  /** Least t-statistic of the slope. Default 4. */
  readonly minT?: number;
  /** How far ahead a projected exhaustion of the headroom is a risk (ms). Default 1500. */
  readonly horizonMs?: number;
  /** Rise of the round trip over its minimum that corroborates a rising delay (ms). Default 30. */
  readonly rttRiseMs?: number;
  /** Shortest silence that can be a stall (ms). Default 80. */
  readonly minStallMs?: number;
  /** Time without risk before a new warning may be raised (ms). Default 1000. */
  readonly rearmMs?: number;
}

/** Watches one stream and raises warnings. */
export class DegradationWatch {
  private readonly trendWindowMs: number;
  private readonly minSlope: number;
  private readonly minT: number;
  private readonly horizonMs: number;
  private readonly rttRiseMs: number;
  private readonly minStallMs: number;
  private readonly rearmMs: number;
  private readonly recent: { readonly at: Millis; readonly r: number }[] = [];
  private readonly gaps = new DelayWindow(10_000);
  private lastArrival: Millis | undefined;
  private minRtt = Infinity;
  private lastRtt: number | undefined;
  private lastRiskAt = -Infinity;
  private readonly events: PlayoutEvent[] = [];
  /** The latest slope estimate (ms per ms) and its t-statistic, for inspection. */
  trend = { slope: 0, t: 0 };

  /** A watch with the given tuning. */
  constructor(options: DegradationWatchOptions = {}) {
    this.trendWindowMs = options.trendWindowMs ?? 600;
    this.minSlope = options.minSlope ?? 0.03;
    this.minT = options.minT ?? 4;
    this.horizonMs = options.horizonMs ?? 1500;
    this.rttRiseMs = options.rttRiseMs ?? 30;
    this.minStallMs = options.minStallMs ?? 80;
    this.rearmMs = options.rearmMs ?? 1000;
  }

  /** A packet arrived at `now` with relative delay `r` (late ones too). */
  arrival(now: Millis, r: number): void {
    if (this.lastArrival !== undefined) this.gaps.add(now, now - this.lastArrival);
    this.lastArrival = now;
    this.recent.push({ at: now, r });
    while (this.recent.length > 0 && this.recent[0]!.at < now - this.trendWindowMs) this.recent.shift();
    this.trend = slope(this.recent);
  }

  /** A round-trip sample. */
  roundTrip(rttMs: number): void {
    this.minRtt = Math.min(this.minRtt, rttMs);
    this.lastRtt = rttMs;
  }

  /** A tick at `now` with the playout offset `offsetMs` the buffer runs at. */
  tick(now: Millis, offsetMs: number | undefined): void {
    const cause = this.risk(now, offsetMs);
    if (cause === undefined) return;
    if (now - this.lastRiskAt >= this.rearmMs) this.events.push({ type: 'degradationLikely', now, cause: cause.cause, ...(cause.inMs === undefined ? {} : { expectedInMs: cause.inMs }) });
    this.lastRiskAt = now;
  }

  /** The next warning, if any. */
  pollEvent(): PlayoutEvent | undefined {
    return this.events.shift();
  }

  private risk(now: Millis, offsetMs: number | undefined): { cause: DegradationCause; inMs?: number } | undefined {
    if (this.lastArrival !== undefined && this.gaps.size >= 25) {
      const usual = (this.gaps.quantile(0.995) ?? FRAME_MS) + FRAME_MS;
      if (now - this.lastArrival > Math.max(this.minStallMs, usual)) return { cause: 'stall' };
    }
    if (offsetMs === undefined || this.recent.length < 8) return undefined;
    const corroborated = this.lastRtt !== undefined && this.lastRtt - this.minRtt > this.rttRiseMs;
    const needed = corroborated ? this.minSlope / 2 : this.minSlope;
    const { slope: s, t } = this.trend;
    if (!(s >= needed && t >= this.minT)) return undefined;
    let newest = -Infinity;
    for (const x of this.recent) if (x.at >= now - 200) newest = Math.max(newest, x.r);
    const headroom = offsetMs - newest;
    const inMs = headroom <= 0 ? 0 : (headroom * (1 + s)) / s;
    return inMs <= this.horizonMs ? { cause: 'delay-rising', inMs: Math.round(inMs) } : undefined;
  }
}

/** Least-squares slope of r over time and its t-statistic. */
function slope(points: readonly { readonly at: Millis; readonly r: number }[]): { slope: number; t: number } {
  const n = points.length;
  if (n < 3) return { slope: 0, t: 0 };
  let mx = 0;
  let my = 0;
  for (const p of points) {
    mx += p.at;
    my += p.r;
  }
  mx /= n;
  my /= n;
  let sxx = 0;
  let sxy = 0;
  for (const p of points) {
    sxx += (p.at - mx) ** 2;
    sxy += (p.at - mx) * (p.r - my);
  }
  if (sxx === 0) return { slope: 0, t: 0 };
  const b = sxy / sxx;
  let sse = 0;
  for (const p of points) sse += (p.r - my - b * (p.at - mx)) ** 2;
  const se = Math.sqrt(sse / (n - 2) / sxx);
  return { slope: b, t: se === 0 ? (b > 0 ? Infinity : 0) : b / se };
}
