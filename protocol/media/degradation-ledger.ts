/**
 * The degradation ledger of one stream: when late loss actually set in, and how long before that the
 * controller warned.
 *
 * Theory of operation: every frame whose playout time passes is noted with that time (its *slot*). A
 * frame missing at its slot that arrives afterwards is late; it is noted against its slot. Degradation
 * *sets in* at the slot of a late frame when, over the second of slots ending there, more than 5 % of
 * the frames were late; it lasts until a second passes without a late frame. A warning counts for an
 * onset when it came at most `WARNING_HORIZON_MS` before it; its lead is the time between the two.
 * Because lateness is only known when the late packet finally arrives, onsets are found afterwards,
 * but they are dated at the slot. Memory is bounded: every second, slots older than 3 s are dropped.
 */
import type { Millis } from '../contract.ts';

/** Length of the late-loss window (ms). */
export const DEGRADATION_WINDOW_MS = 1000;

/** Late loss in one window above which audio is degraded. */
export const DEGRADATION_LATE_FRACTION = 0.05;

/** How long before an onset a warning still counts for it (ms). */
export const WARNING_HORIZON_MS = 5000;

/** What the ledger has seen so far. */
export interface DegradationSummary {
  /** Warnings raised. */
  readonly warnings: number;
  /** Times degradation set in. */
  readonly onsets: number;
  /** Onsets that a warning preceded within `WARNING_HORIZON_MS`. */
  readonly warnedOnsets: number;
  /** Mean time from the latest such warning to its onset (ms); 0 when no onset was warned. */
  readonly meanLeadMs: number;
  /** The smallest such lead (ms); undefined when no onset was warned. */
  readonly minLeadMs: number | undefined;
}

/** Finds late-loss onsets of one stream and matches them with the controller's warnings. */
export class DegradationLedger {
  private readonly slots: Millis[] = [];
  private readonly lateSlots: Millis[] = [];
  private readonly warningTimes: Millis[] = [];
  private readonly missingSlot = new Map<number, Millis>();
  private warnings = 0;
  private onsets = 0;
  private warnedOnsets = 0;
  private leadSum = 0;
  private minLead: number | undefined;
  private lastLateSlot = -Infinity;
  private inDegradation = false;
  private prunedAt = -Infinity;

  /** Frame `seq`'s playout time passed at `slot`; `missing` when it was not there to play. */
  passed(seq: number, slot: Millis, missing: boolean): void {
    this.slots.push(slot);
    if (missing) this.missingSlot.set(seq, slot);
    this.prune(slot);
  }

  /** Frame `seq`, missing at its slot, arrived late. */
  late(seq: number): void {
    const slot = this.missingSlot.get(seq);
    if (slot === undefined) return;
    this.missingSlot.delete(seq);
    insertSorted(this.lateSlots, slot);
    const ongoing = this.inDegradation && slot - this.lastLateSlot <= DEGRADATION_WINDOW_MS;
    this.lastLateSlot = Math.max(this.lastLateSlot, slot);
    if (ongoing) return;
    const from = slot - DEGRADATION_WINDOW_MS;
    const passed = countIn(this.slots, from, slot);
    const late = countIn(this.lateSlots, from, slot);
    if (passed > 0 && late / passed > DEGRADATION_LATE_FRACTION) {
      this.inDegradation = true;
      this.onsets++;
      const warning = lastAtOrBefore(this.warningTimes, slot);
      if (warning !== undefined && slot - warning <= WARNING_HORIZON_MS) {
        const lead = slot - warning;
        this.warnedOnsets++;
        this.leadSum += lead;
        this.minLead = this.minLead === undefined ? lead : Math.min(this.minLead, lead);
      }
    }
  }

  /** The controller warned at `now`. */
  warned(now: Millis): void {
    this.warnings++;
    this.warningTimes.push(now);
  }

  /** The summary so far. */
  summary(): DegradationSummary {
    return {
      warnings: this.warnings,
      onsets: this.onsets,
      warnedOnsets: this.warnedOnsets,
      meanLeadMs: this.warnedOnsets === 0 ? 0 : this.leadSum / this.warnedOnsets,
      minLeadMs: this.minLead,
    };
  }

  private prune(now: Millis): void {
    if (now - this.lastLateSlot > DEGRADATION_WINDOW_MS) this.inDegradation = false;
    if (now - this.prunedAt < DEGRADATION_WINDOW_MS) return;
    this.prunedAt = now;
    const horizon = now - 3 * DEGRADATION_WINDOW_MS;
    dropBefore(this.slots, horizon);
    dropBefore(this.lateSlots, horizon);
    dropBefore(this.warningTimes, now - 2 * WARNING_HORIZON_MS);
    if (this.missingSlot.size > 4096) {
      for (const [seq, slot] of this.missingSlot) if (slot < horizon) this.missingSlot.delete(seq);
    }
  }
}

function insertSorted(xs: number[], x: number): void {
  let i = xs.length;
  while (i > 0 && xs[i - 1]! > x) i--;
  xs.splice(i, 0, x);
}

function countIn(sorted: readonly number[], fromExclusive: number, toInclusive: number): number {
  let n = 0;
  for (let i = sorted.length - 1; i >= 0; i--) {
    const x = sorted[i]!;
    if (x <= fromExclusive) break;
    if (x <= toInclusive) n++;
  }
  return n;
}

function lastAtOrBefore(sorted: readonly number[], t: number): number | undefined {
  for (let i = sorted.length - 1; i >= 0; i--) if (sorted[i]! <= t) return sorted[i];
  return undefined;
}

function dropBefore(sorted: number[], t: number): void {
  const n = sorted.length;
  let k = 0;
  while (k < n && sorted[k]! < t) k++;
  if (k === 0) return;
  // shift down in place (splice would also build an array of the dropped entries, every second per stream)
  for (let i = k; i < n; i++) sorted[i - k] = sorted[i]!;
  sorted.length = n - k;
}
