/**
 * A node's local clock: global simulated time seen through an offset and a drift.
 *
 * Theory of operation: local(t) = localAnchor + (t − globalAnchor) · (1 + drift), a piecewise-linear map
 * re-anchored whenever the offset or drift changes, so local time is continuous under a drift change and
 * jumps only when the offset is set (a clock step, which may go backwards as NTP steps do). The node sees
 * only local time; the host converts its timer deadlines back to global time with `toGlobal`.
 */
import { ConfigError } from './errors.ts';

/** A clock change: set the offset (local − global, ms) and/or the drift (parts per million). */
export interface ClockSetting {
  /** Local minus global time from now on, in ms (a step). */
  readonly offsetMs?: number;
  /** Rate error in parts per million: +100 runs 0.01 % fast. */
  readonly driftPpm?: number;
}

/** Check a clock setting, naming a bad field under `field` (a `ConfigError`): an object with a finite `offsetMs` and a `driftPpm` strictly within ±10⁶, both optional. */
export function checkClockSetting(setting: unknown, field = 'clock'): asserts setting is ClockSetting {
  if (typeof setting !== 'object' || setting === null) throw new ConfigError(field, '{ offsetMs?, driftPpm? }', setting);
  const { offsetMs, driftPpm } = setting as Record<string, unknown>;
  if (offsetMs !== undefined && !(typeof offsetMs === 'number' && Number.isFinite(offsetMs))) throw new ConfigError(`${field}.offsetMs`, 'a finite number', offsetMs);
  if (driftPpm !== undefined && !(typeof driftPpm === 'number' && Number.isFinite(driftPpm) && Math.abs(driftPpm) < 1e6)) {
    throw new ConfigError(`${field}.driftPpm`, 'a number strictly between -1000000 and 1000000', driftPpm);
  }
}

/** Maps global simulated time to one node's local time and back. */
export class NodeClock {
  private globalAnchor = 0;
  private localAnchor = 0;
  private rate = 1;

  /** Local time at global time `t`. */
  toLocal(t: number): number {
    return this.localAnchor + (t - this.globalAnchor) * this.rate;
  }

  /** The global time at which local time reads `local` (never before `now`). */
  toGlobal(local: number, now: number): number {
    const t = this.globalAnchor + (local - this.localAnchor) / this.rate;
    return t > now ? t : now;
  }

  /** Current offset (local − global) at global time `t`. */
  offsetAt(t: number): number {
    return this.toLocal(t) - t;
  }

  /** Current drift in ppm. */
  get driftPpm(): number {
    return (this.rate - 1) * 1e6;
  }

  /** Apply `setting` at global time `now`. */
  set(now: number, setting: ClockSetting): void {
    const local = setting.offsetMs === undefined ? this.toLocal(now) : now + setting.offsetMs;
    this.globalAnchor = now;
    this.localAnchor = local;
    if (setting.driftPpm !== undefined) this.rate = 1 + setting.driftPpm / 1e6;
  }
}
