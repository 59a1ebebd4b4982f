/**
 * The sample counts behind a delay window: a histogram of fine bins, with the counts of blocks of 32
 * bins and of super-blocks of 32 blocks beside it, and quantiles tracked over them.
 *
 * Theory of operation: a sample counts in its fine bin, its block and its super-block, so an add or a
 * removal touches three counters and a query sums at most 31 counters of each level in order
 * (super-blocks, blocks within one, bins within one). The fine bins are allocated around the first bin
 * used and widened (doubling) as values spread. A tracked quantile keeps its bin and the count below
 * it, and is walked a bin or two to its new place after each change (found afresh when far); its
 * answer is the bin of the asked rank, whatever the order of the changes that led there.
 */

/** log2 of the fine bins per block. */
export const BLOCK_BITS = 5;

/** Fine bins per block. */
export const BLOCK = 1 << BLOCK_BITS;

/** Fine bins allocated at first (a window widens them as its values spread). */
const FIRST_FINE_BINS = 256;

/** The fine bins of a window that has none allocated yet. */
const NO_BINS = new Uint32Array(0);

/** Room for tracked quantiles at first (a window tracks one or two; the arrays double past them). */
const FIRST_TRACKED = 4;

/** A tracked quantile further than this many bins from its last answer is found afresh instead of walked to. */
const TRACK_WALK_LIMIT = 64;

/**
 * Samples per bin: fine bins (allocated lazily around the bins used), blocks of `BLOCK` bins and
 * super-blocks of `BLOCK` blocks, with the quantiles tracked over them.
 */
export class BinCounts {
  /** Samples per fine bin, for the bins [fineLo, fineLo + fine.length) only (the others are empty). */
  fine = NO_BINS;
  /** The bin `fine[0]` counts. */
  fineLo = 0;
  /** Samples per block of `BLOCK` fine bins. */
  readonly blockCount: Uint32Array;
  /** Samples per super-block of `BLOCK` blocks. */
  readonly superCount: Uint32Array;
  /** Blocks, and super-blocks, over the bins. */
  readonly blocks: number;
  readonly supers: number;
  /**
   * The quantiles kept current (each added by its first `trackedBin`), slot `j` < `trackedCount` of each
   * array: its q, its bin (−1 when unknown: after a clear or a recentre) and how many samples lie below
   * that bin. Typed arrays, not an array of records: every bump reads them, with no check of a record's
   * shape each time.
   */
  private trackedQ: Float64Array = new Float64Array(FIRST_TRACKED);
  private trackedBins: Float64Array = new Float64Array(FIRST_TRACKED);
  private trackedBelow: Float64Array = new Float64Array(FIRST_TRACKED);
  private trackedCount = 0;

  /** Counts over `bins` bins (a power of two, at least `BLOCK`), all zero. */
  constructor(readonly bins: number) {
    this.blocks = bins / BLOCK;
    this.supers = (this.blocks + BLOCK - 1) >> BLOCK_BITS;
    this.blockCount = new Uint32Array(this.blocks);
    this.superCount = new Uint32Array(this.supers);
  }

  /** Samples in fine bin `b`. */
  fineAt(b: number): number {
    const i = b - this.fineLo;
    return i >= 0 && i < this.fine.length ? this.fine[i]! : 0;
  }

  /** Add `delta` to bin `b` (0-based). */
  bump(b: number, delta: number): void {
    this.bumpFine(b, delta);
    this.bumpBlock(b >> BLOCK_BITS, delta);
  }

  /** The fine-bin half of `bump` (the tracked quantiles follow it). */
  bumpFine(b: number, delta: number): void {
    let i = b - this.fineLo;
    if (i < 0 || i >= this.fine.length) i = this.cover(b);
    this.fine[i]! += delta;
    const bins = this.trackedBins;
    const below = this.trackedBelow;
    for (let j = 0; j < this.trackedCount; j++) if (b < bins[j]!) below[j]! += delta;
  }

  /** The block half of `bump`: add `delta` to block `block` (0-based) and to its super-block. */
  bumpBlock(block: number, delta: number): void {
    this.blockCount[block]! += delta;
    this.superCount[block >> BLOCK_BITS]! += delta;
  }

  /** Every count zero; the tracked quantiles are found afresh when next asked. */
  zero(): void {
    this.fine.fill(0);
    this.blockCount.fill(0);
    this.superCount.fill(0);
    this.trackedBins.fill(-1);
  }

  /** Samples in bins 0 .. n − 1. */
  prefix(n: number): number {
    let sum = 0;
    const block = n >> BLOCK_BITS;
    const sup = block >> BLOCK_BITS;
    for (let s = 0; s < sup; s++) sum += this.superCount[s]!;
    for (let b = sup << BLOCK_BITS; b < block; b++) sum += this.blockCount[b]!;
    // the fine bins of the last block, those allocated only (the others are empty)
    const fine = this.fine;
    const lo = this.fineLo;
    const end = Math.min(n, lo + fine.length);
    for (let b = Math.max(block << BLOCK_BITS, lo); b < end; b++) sum += fine[b - lo]!;
    return sum;
  }

  /** The bin holding the sample of rank `k` (1-based, in increasing order). */
  rankBin(k: number): number {
    let s = 0;
    for (const end = this.supers - 1; s < end && this.superCount[s]! < k; s++) k -= this.superCount[s]!;
    let block = s << BLOCK_BITS;
    for (const end = Math.min(this.blocks, block + BLOCK) - 1; block < end && this.blockCount[block]! < k; block++) k -= this.blockCount[block]!;
    let b = block << BLOCK_BITS;
    for (const end = Math.min(this.bins, b + BLOCK) - 1; b < end && this.fineAt(b) < k; b++) k -= this.fineAt(b);
    return b;
  }

  /** The bin of rank `k`, for the tracked quantile `q`: walked to from its last answer, or found afresh. */
  trackedBin(q: number, k: number): number {
    let j = 0;
    while (j < this.trackedCount && this.trackedQ[j] !== q) j++;
    if (j === this.trackedCount) this.track(q);
    let bin = this.trackedBins[j]!;
    let below = this.trackedBelow[j]!;
    // invariant: below = samples in bins under `bin`; the answer is the bin where below < k ≤ below + fine
    let steps = bin < 0 ? TRACK_WALK_LIMIT : 0;
    for (; k <= below && steps < TRACK_WALK_LIMIT; steps++) below -= this.fineAt(--bin);
    for (; k > below + this.fineAt(bin) && steps < TRACK_WALK_LIMIT; steps++) below += this.fineAt(bin++);
    if (steps >= TRACK_WALK_LIMIT) {
      bin = this.rankBin(k);
      below = this.prefix(bin);
    }
    this.trackedBins[j] = bin;
    this.trackedBelow[j] = below;
    return bin;
  }

  /** Track `q` from now on, in the next slot (its bin unknown yet). */
  private track(q: number): void {
    const j = this.trackedCount++;
    if (j === this.trackedQ.length) {
      this.trackedQ = doubled(this.trackedQ);
      this.trackedBins = doubled(this.trackedBins);
      this.trackedBelow = doubled(this.trackedBelow);
    }
    this.trackedQ[j] = q;
    this.trackedBins[j] = -1;
    this.trackedBelow[j] = 0;
  }

  /** Widen the allocated fine bins (doubling, within the bins) to take in bin `b`; returns `b`'s index in them. */
  private cover(b: number): number {
    const old = this.fine;
    let lo = this.fineLo;
    let len = old.length;
    if (len === 0) {
      len = Math.min(this.bins, FIRST_FINE_BINS);
      lo = Math.min(this.bins - len, Math.max(0, b - len / 2));
    }
    while (b < lo || b >= lo + len) {
      // double towards `b`, keeping the allocated bins inside [0, bins)
      const grown = Math.min(this.bins, 2 * len);
      lo = b < lo ? Math.max(0, lo + len - grown) : Math.min(this.bins - grown, lo);
      len = grown;
    }
    const fine = new Uint32Array(len);
    if (old.length > 0) fine.set(old, this.fineLo - lo);
    this.fine = fine;
    this.fineLo = lo;
    return b - lo;
  }
}

/** `a` copied into an array twice as long. */
function doubled(a: Float64Array): Float64Array {
  const grown = new Float64Array(2 * a.length);
  grown.set(a);
  return grown;
}

/** The nearest rank of the `q` quantile among `n` samples (1 … n). */
export function rankOf(q: number, n: number): number {
  const k = Math.ceil(q * n);
  return k < 1 ? 1 : k > n ? n : k;
}

/** 1 / binMs when binMs is a power of two (dividing by it is then exactly multiplying by this), else 0. */
export function perBinOf(binMs: number): number {
  const log2 = Math.log2(binMs);
  return Number.isInteger(log2) && 2 ** log2 === binMs && Number.isFinite(2 ** -log2) ? 2 ** -log2 : 0;
}

/** The bin of `value` among `bins` of `binMs` from `origin` (`perBin` from `perBinOf`), values outside counted at the ends; NaN for NaN. */
export function binIndex(value: number, origin: number, binMs: number, perBin: number, bins: number): number {
  const b = Math.floor(perBin > 0 ? (value - origin) * perBin : (value - origin) / binMs);
  return b < 0 ? 0 : b >= bins ? bins - 1 : b;
}
