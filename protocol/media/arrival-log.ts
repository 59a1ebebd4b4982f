/**
 * A stream's arrivals written down in one ring of records, and lazy sliding windows that read their
 * samples from it: an arrival writes one record, in one array, whatever windows read it.
 *
 * Theory of operation. A record is the arrival's time and three numbers its writer chose (the degradation
 * watch: its excursion above the block's floor, the gap since the previous arrival, and whether that gap
 * counts). A `LogWindow` holds the samples that one field gives over a sliding span (all records, or
 * those whose flag field is non-zero), with the answers of a lazy `DelayWindow` of fixed origin: a
 * sample expires once it is `spanMs` older than the newest sample, and the counts (`BinCounts`) are
 * brought up to date only when the window is read. A read first looks at the records written since
 * its last one (noting the newest sample's expiry horizon), drops the samples that have expired from
 * its oldest end (uncounting those counted), then counts the others in one sequential pass. Arrival
 * times never decrease (inputs come in time order), so dropping at any read the samples older than the
 * newest one's horizon drops the same samples as a window that expired them one by one.
 * The ring keeps every record some window may still hold: when it is full it asks each window to drop
 * what has expired (it counts nothing then), and doubles if that frees no room.
 *
 * Cost: an arrival writes four numbers in one array (32 bytes: a cache line holds two records); a
 * window touches the records only when read, or when the ring is full, a few at a time.
 */
import type { Millis } from '../contract.ts';
import { BinCounts, binIndex, perBinOf, rankOf } from './bin-counts.ts';

/** Numbers per record: the time, then three fields. */
const FIELDS = 4;

/** Records of the smallest ring. */
const MIN_RECORDS = 16;

/** A field of a record (1 to 3; 0 is the time). */
export type LogField = 1 | 2 | 3;

/** How a log window bins its values: from a fixed origin. */
export interface LogWindowBins {
  /** Width of a bin (ms). */
  readonly binMs: number;
  /** Number of bins (a power of two, at least 32). */
  readonly bins: number;
  /** Value of the first bin's lower edge. */
  readonly origin: number;
}

/** Records in arrival order, in a ring that grows while windows still hold its oldest ones. */
export class ArrivalLog {
  /** The records: record `i` (counted from the first ever written) at `FIELDS · (i & mask)`, its time first. */
  records: Float64Array;
  /** Ring slots − 1 (a power of two − 1). */
  mask: number;
  /** Records written so far (the next one's index). */
  end = 0;
  /** The index at which the ring is full, as of the last look at the windows (they only let go of records: it is never later than the truth). */
  private fullAt: number;
  private readonly windows: LogWindow[] = [];

  /** A log with room for `expected` records before it first grows. */
  constructor(expected: number) {
    let slots = MIN_RECORDS;
    while (slots < expected) slots *= 2;
    this.records = new Float64Array(FIELDS * slots);
    this.mask = slots - 1;
    this.fullAt = slots;
  }

  /** A window over `field` of the records written from now on (of those whose `flag` field is non-zero, if given). */
  window(field: LogField, spanMs: Millis, bins: LogWindowBins, flag?: LogField): LogWindow {
    const window = new LogWindow(this, field, flag ?? 0, spanMs, bins);
    this.windows.push(window);
    return window;
  }

  /** Write the next record. */
  append(time: Millis, a: number, b: number, c: number): void {
    if (this.end === this.fullAt) this.makeRoom();
    const i = FIELDS * (this.end & this.mask);
    const records = this.records;
    records[i] = time;
    records[i + 1] = a;
    records[i + 2] = b;
    records[i + 3] = c;
    this.end++;
  }

  /** The ring is full: the windows drop their expired samples; double it if that freed no room. */
  private makeRoom(): void {
    for (const w of this.windows) w.dropExpired();
    if (this.end - this.oldest() > this.mask) this.grow();
    this.fullAt = this.oldest() + this.mask + 1;
  }

  /** The oldest record a window still holds (`end` if none). */
  private oldest(): number {
    let oldest = this.end;
    for (const w of this.windows) if (w.head < oldest) oldest = w.head;
    return oldest;
  }

  /** Double the ring, each record moving to its slot in the larger one. */
  private grow(): void {
    const slots = 2 * (this.mask + 1);
    const records = new Float64Array(FIELDS * slots);
    for (let i = this.oldest(); i < this.end; i++) {
      const from = FIELDS * (i & this.mask);
      records.set(this.records.subarray(from, from + FIELDS), FIELDS * (i & (slots - 1)));
    }
    this.records = records;
    this.mask = slots - 1;
  }
}

/** A lazy sliding window of one field of a log's records, with the answers of a lazy `DelayWindow` of fixed origin. */
export class LogWindow {
  /** The oldest record that may hold a sample of the window (records before it are let go). */
  head: number;
  /** Records before this one have been looked at (samples noted, and those the newest one's horizon expires dropped). */
  private seen: number;
  /** Records before this one are counted, if samples. */
  private counted: number;
  /** Samples in the records [head, seen). */
  private samples = 0;
  private readonly counts: BinCounts;
  private readonly binMs: number;
  private readonly perBin: number;
  private readonly bins: number;
  private readonly origin: number;

  /** Use `ArrivalLog.window`. `flag` 0: every record is a sample. */
  constructor(
    private readonly log: ArrivalLog,
    private readonly field: LogField,
    private readonly flag: LogField | 0,
    readonly spanMs: Millis,
    bins: LogWindowBins,
  ) {
    this.head = this.seen = this.counted = log.end;
    this.binMs = bins.binMs;
    this.perBin = perBinOf(bins.binMs);
    this.bins = bins.bins;
    this.origin = bins.origin;
    this.counts = new BinCounts(bins.bins);
  }

  /** Samples in the window. */
  get size(): number {
    this.dropExpired();
    return this.samples;
  }

  /** The `q` quantile (0..1) by nearest rank, to a bin, tracked as `DelayWindow.trackedQuantile`; undefined when empty. */
  trackedQuantile(q: number): number | undefined {
    this.dropExpired();
    const { records, mask } = this.log;
    const { counts, field, flag, seen } = this;
    for (let k = this.counted; k < seen; k++) {
      const i = FIELDS * (k & mask);
      if (flag === 0 || records[i + flag] !== 0) counts.bump(this.binOf(records[i + field]!), 1);
    }
    this.counted = seen;
    if (this.samples === 0) return undefined;
    return this.origin + counts.trackedBin(q, rankOf(q, this.samples)) * this.binMs;
  }

  /** Look at the records written since, then drop the samples older than the newest one's horizon (uncounting those counted). */
  dropExpired(): void {
    // the cursors in locals, stored back once: the loops run over every record of the log
    const { records, mask, end } = this.log;
    const { flag, spanMs, counted } = this;
    let { seen, head, samples } = this;
    let owedHorizon = -Infinity; // the newest sample's expiry horizon (samples seen before were dropped by it then)
    for (; seen < end; seen++) {
      const i = FIELDS * (seen & mask);
      if (flag !== 0 && records[i + flag] === 0) continue;
      samples++;
      const horizon = records[i]! - spanMs;
      if (horizon > owedHorizon) owedHorizon = horizon;
    }
    for (; head < seen; head++) {
      const i = FIELDS * (head & mask);
      if (flag !== 0 && records[i + flag] === 0) continue;
      if (!(records[i]! < owedHorizon)) break;
      if (head < counted) this.counts.bump(this.binOf(records[i + this.field]!), -1);
      samples--;
    }
    this.seen = seen;
    this.head = head;
    this.samples = samples;
    if (counted < head) this.counted = head;
  }

  /** The bin `value` counts in (NaN for NaN, as in `DelayWindow`). */
  private binOf(value: number): number {
    return binIndex(value, this.origin, this.binMs, this.perBin, this.bins);
  }
}
