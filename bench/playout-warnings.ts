/**
 * Scores a controller's `degradationLikely` warnings against the trace's ground truth.
 *
 * Theory of operation. Degradation is late loss above 5 % of the frames due in a 1 s window. To judge
 * a *prediction* independently of the controller's reaction to it, lateness is measured against a
 * frozen playout: the offset (playout time − send time) the stream ran at before the trouble, held
 * fixed. With that:
 *   - a climb episode degrades at the first slot, from its start to 3 s after it ends, where the
 *     frozen playout (offset at the episode's start) exceeds 5 % late loss in the second before; it is
 *     warned in time when a warning came at most 2 s (the alarm horizon) and at least 300 ms before
 *     that onset;
 *   - a stall (stalls less than 1 s apart count as one) degrades when the frozen playout (offset at the stall's onset) exceeds 5 % late loss
 *     before 1 s after its release; it is detected in time when a warning came within 100 ms of the
 *     onset (nothing precedes a stall: the onset is when its first held packet would have arrived) of
 *     one of its stalls that began before it degraded (after a brief stall, one too short to notice,
 *     the harmful one that follows it within the second is timed from its own onset);
 *   - a warning is a true alarm when the playout frozen at the smallest offset of the second before it
 *     would exceed 5 % late loss within the 2 s after it, and a false alarm otherwise; the "as heard"
 *     count also accepts frames lost in the network as degradation (a warning before a long loss burst
 *     announced a real dropout);
 *   - warnings after the stream's last frame are about the stream ending and are not scored.
 * The controller's own late-loss onsets and lead times (from its stats' degradation ledger) are
 * reported beside these.
 */
import { DEGRADATION_LATE_FRACTION, DEGRADATION_WINDOW_MS } from '../protocol/media/degradation-ledger.ts';
import type { ReplayResult } from './playout-replay.ts';
import type { PlayoutTrace, TraceEpisode } from './playout-traces.ts';

/** Lead needed before a climb's onset (ms). */
export const CLIMB_LEAD_MS = 300;

/** Largest delay after a stall's onset for a timely warning (ms). */
export const STALL_DETECTION_MS = 100;

/** Stalls closer than this are scored as one episode (ms). */
export const STALL_MERGE_MS = 1000;

/** How far after a warning its degradation may come (ms). */
export const ALARM_HORIZON_MS = 2000;

/**
 * A warning after the last frame was sent (plus this margin) is about the stream ending, which a call
 * signals by itself; it is not scored (ms).
 */
export const END_OF_STREAM_MARGIN_MS = 100;

/** How one episode went. */
export interface EpisodeScore {
  /** Episode start (climb); onset (stall) of the stall its warning is timed from (ms). */
  readonly at: number;
  /** When the frozen playout degraded, if it did. */
  readonly degradedAt: number | undefined;
  /** First warning from the episode's start on (ms), if any before the onset (climb) or release (stall). */
  readonly warnedAt: number | undefined;
  /** Met the goal: a climb warned ≥ 300 ms before it degraded, a stall within 100 ms of its onset. */
  readonly inTime: boolean;
}

/** The warning figures of one replay. */
export interface WarningScore {
  /** Warnings raised. */
  readonly warnings: number;
  /** Warnings not followed, within 2 s, by late loss over 5 % in a second of the frozen playout. */
  readonly falseAlarms: number;
  /** Warnings not followed, within 2 s, by over 5 % of a second's frames missing (late or lost) from it. */
  readonly falseAlarmsAsHeard: number;
  /** Climb episodes. */
  readonly climbs: readonly EpisodeScore[];
  /** Stall episodes. */
  readonly stalls: readonly EpisodeScore[];
}

/** Score `result`'s warnings on `trace`. */
export function scoreWarnings(trace: PlayoutTrace, result: ReplayResult): WarningScore {
  const lastSend = trace.packets[trace.packets.length - 1]?.sentAt ?? 0;
  const warningTimes = result.warnings.map((w) => w.at).filter((at) => at <= lastSend + END_OF_STREAM_MARGIN_MS);
  const climbs: EpisodeScore[] = [];
  const stalls: EpisodeScore[] = [];
  for (const e of mergeStalls(trace.episodes)) {
    if (e.kind === 'climb') {
      const offset = offsetAt(result, e.start);
      const degradedAt = offset === undefined ? undefined : frozenOnset(trace, offset, e.start, e.end + 3000);
      const from = degradedAt === undefined ? e.start : Math.max(e.start, degradedAt - ALARM_HORIZON_MS);
      const warnedAt = warningTimes.find((w) => w >= from && w <= (degradedAt ?? e.end));
      climbs.push({ at: e.start, degradedAt, warnedAt, inTime: degradedAt !== undefined && warnedAt !== undefined && degradedAt - warnedAt >= CLIMB_LEAD_MS });
    } else {
      const offset = offsetAt(result, e.onset);
      const degradedAt = offset === undefined ? undefined : frozenOnset(trace, offset, e.onset, e.release + 1000);
      const warnedAt = warningTimes.find((w) => w >= e.onset - STALL_DETECTION_MS && w <= e.release);
      // timed from the onset of the stall the warning came in (the first if it came before any), if that one began before the harm
      let at = e.onset;
      if (warnedAt !== undefined) for (const onset of e.onsets) if (onset <= warnedAt && onset <= (degradedAt ?? Infinity)) at = onset;
      stalls.push({ at, degradedAt, warnedAt, inTime: warnedAt !== undefined && warnedAt - at <= STALL_DETECTION_MS });
    }
  }
  let falseAlarms = 0;
  let falseAlarmsAsHeard = 0;
  for (const w of warningTimes) {
    const offset = minOffset(result, w - 1000, w);
    if (offset === undefined || frozenOnset(trace, offset, w, w + ALARM_HORIZON_MS) === undefined) falseAlarms++;
    if (offset === undefined || frozenOnset(trace, offset, w, w + ALARM_HORIZON_MS, true) === undefined) falseAlarmsAsHeard++;
  }
  return { warnings: warningTimes.length, falseAlarms, falseAlarmsAsHeard, climbs, stalls };
}

/**
 * The first slot in [from, until] at which a playout frozen at `offset` has more than 5 % of the
 * frames due in the second before it late (or, `asHeard`, late or lost); undefined if none.
 */
export function frozenOnset(trace: PlayoutTrace, offset: number, from: number, until: number, asHeard = false): number | undefined {
  const packets = trace.packets;
  const missing = (p: PlayoutTrace['packets'][number]) => (p.arrivedAt === undefined ? asHeard : p.arrivedAt > p.sentAt + offset);
  let lo = 0;
  let late = 0;
  for (let hi = 0; hi < packets.length; hi++) {
    const p = packets[hi]!;
    const slot = p.sentAt + offset;
    if (slot > until) break;
    if (missing(p)) late++;
    while (packets[lo]!.sentAt + offset <= slot - DEGRADATION_WINDOW_MS) {
      if (missing(packets[lo++]!)) late--;
    }
    if (slot >= from && late / (hi - lo + 1) > DEGRADATION_LATE_FRACTION) return slot;
  }
  return undefined;
}

/** Stalls less than a second apart are one episode: the second one is not sudden, the path was already stalling. */
function mergeStalls(episodes: readonly TraceEpisode[]): ScoredEpisode[] {
  const out: ScoredEpisode[] = [];
  for (const e of episodes) {
    const last = out[out.length - 1];
    if (e.kind === 'stall' && last?.kind === 'stall' && e.onset - last.release < STALL_MERGE_MS) out[out.length - 1] = { kind: 'stall', onset: last.onset, release: e.release, onsets: [...last.onsets, e.onset] };
    else out.push(e.kind === 'stall' ? { ...e, onsets: [e.onset] } : e);
  }
  return out;
}

/** An episode as scored: a climb, or stalls less than `STALL_MERGE_MS` apart with the onset of each. */
type ScoredEpisode = Extract<TraceEpisode, { kind: 'climb' }> | (Extract<TraceEpisode, { kind: 'stall' }> & { readonly onsets: readonly number[] });

/** The playout offset at the last tick at or before `t` that had one. */
function offsetAt(result: ReplayResult, t: number): number | undefined {
  let found: number | undefined;
  for (let i = 0; i < result.tickAt.length && result.tickAt[i]! <= t; i++) if (!Number.isNaN(result.tickOffset[i]!)) found = result.tickOffset[i]!;
  return found;
}

/** The smallest playout offset of the ticks in [from, to], or the last one before `from` if none. */
function minOffset(result: ReplayResult, from: number, to: number): number | undefined {
  let before: number | undefined;
  let min: number | undefined;
  for (let i = 0; i < result.tickAt.length && result.tickAt[i]! <= to; i++) {
    const o = result.tickOffset[i]!;
    if (Number.isNaN(o)) continue;
    if (result.tickAt[i]! < from) before = o;
    else min = min === undefined ? o : Math.min(min, o);
  }
  return min ?? before;
}
