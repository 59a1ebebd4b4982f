/**
 * Baselines: Ramjee, Kurose, Towsley and Schulzrinne (INFOCOM 1994), Algorithm 1 (exponential averages)
 * and Algorithm 4 (spike detection), exactly as published, applied per talkspurt.
 *
 * Theory of operation. For every packet received (late ones too) n_i = arrival − media timestamp
 * feeds an estimator of the mean delay d̂ and its variation v̂:
 *   Algorithm 1: d̂ = α·d̂ + (1 − α)·n_i, then v̂ = α·v̂ + (1 − α)·|d̂ − n_i|, α = 0.998002.
 *   Algorithm 4: NORMAL → SPIKE when |n_i − n_{i−1}| > 2·|v̂| + spikeThreshold (var = 0); in SPIKE
 *   var = var/2 + |2n_i − n_{i−1} − n_{i−2}|/8 and SPIKE → NORMAL when var ≤ spikeEnd; then
 *   d̂ = 0.125·n_i + 0.875·d̂ (NORMAL) or d̂ = d̂ + n_i − n_{i−1} (SPIKE), v̂ = 0.125·|n_i − d̂| + 0.875·v̂.
 *   The paper's 800 and 63 are in its trace's clock units, which it does not state; we read them as an
 *   8 kHz audio clock (125 µs), so spikeThreshold = 100 ms and spikeEnd = 63/8 = 7.875 ms (parameters).
 * The playout delay changes only when a talkspurt starts: its first packet i plays at t_i + d̂_i + 4·v̂_i
 * (the estimates right after packet i arrived; the latest estimates if it had not arrived in time) and
 * the rest of the talkspurt keeps that offset, rounded up to the tick grid. Our streams are continuous
 * speech with no silences, so a talkspurt is every `talkspurtFrames` frames (default 50: 1 s, about the
 * mean talkspurt of conversational speech); a later start is reached by holding (stretch or expand)
 * and an earlier one by dropping the talkspurt's first frames, which in real speech would have been
 * silence. The paper leaves the initial estimates open: the first talkspurt plays like the fixed buffer
 * (first arrival + 60 ms) while its packets are collected, then d̂ and v̂ start from their mean and mean
 * absolute deviation and the recursion runs from there.
 */
import { ADVANCE, drop, HOLD, JitterBuffer, type ArrivalNote, type BufferView, type PlayoutPolicy, type TickPlan } from './jitter-buffer.ts';
import { FRAME_MS, type PlayoutController, type PlayoutEvent } from './playout.ts';

/** Algorithm 1's weight. */
export const RAMJEE_ALPHA = 0.998002;

/** A per-packet delay estimator of the paper: d̂ and v̂ from n_i. */
export interface DelayEstimator {
  /** Current mean-delay estimate d̂ (ms). */
  readonly d: number;
  /** Current variation estimate v̂ (ms). */
  readonly v: number;
  /** Start from given estimates (and the packet delays that led to them, newest last). */
  init(d: number, v: number, recent: readonly number[]): void;
  /** Feed n_i of the next packet. */
  update(n: number): void;
}

/** Algorithm 1: exponentially weighted mean and mean deviation with weight α. */
export class Algorithm1Estimator implements DelayEstimator {
  d = 0;
  v = 0;

  /** An estimator with weight `alpha` (default 0.998002). */
  constructor(readonly alpha = RAMJEE_ALPHA) {}

  /** Start from `d`, `v`. */
  init(d: number, v: number): void {
    this.d = d;
    this.v = v;
  }

  /** d̂ = α·d̂ + (1 − α)·n; v̂ = α·v̂ + (1 − α)·|d̂ − n|. */
  update(n: number): void {
    const a = this.alpha;
    this.d = a * this.d + (1 - a) * n;
    this.v = a * this.v + (1 - a) * Math.abs(this.d - n);
  }
}

/** Algorithm 4's two modes. */
export type SpikeMode = 'normal' | 'spike';

/** Algorithm 4: spike detection on top of fast exponential averages. */
export class Algorithm4Estimator implements DelayEstimator {
  d = 0;
  v = 0;
  /** Current mode. */
  mode: SpikeMode = 'normal';
  /** The spike-mode variation accumulator. */
  spikeVar = 0;
  private n1: number | undefined;
  private n2: number | undefined;

  /** An estimator with the spike thresholds in ms (defaults: 800 and 63 at 8 kHz). */
  constructor(
    readonly spikeThresholdMs = 800 / 8,
    readonly spikeEndMs = 63 / 8,
  ) {}

  /** Start from `d`, `v`, with the last two packet delays from `recent`. */
  init(d: number, v: number, recent: readonly number[]): void {
    this.d = d;
    this.v = v;
    this.n1 = recent[recent.length - 1];
    this.n2 = recent[recent.length - 2];
  }

  /** One step of the published recursion. */
  update(n: number): void {
    const n1 = this.n1 ?? n;
    const n2 = this.n2 ?? n1;
    if (this.mode === 'normal') {
      if (Math.abs(n - n1) > 2 * Math.abs(this.v) + this.spikeThresholdMs) {
        this.spikeVar = 0;
        this.mode = 'spike';
      }
    } else {
      this.spikeVar = this.spikeVar / 2 + Math.abs(2 * n - n1 - n2) / 8;
      if (this.spikeVar <= this.spikeEndMs) this.mode = 'normal';
    }
    this.d = this.mode === 'normal' ? 0.125 * n + 0.875 * this.d : this.d + n - n1;
    this.v = 0.125 * Math.abs(n - this.d) + 0.875 * this.v;
    this.n2 = n1;
    this.n1 = n;
  }
}

/** Settings shared by both algorithms. */
export interface TalkspurtOptions {
  /** Frames per talkspurt in a continuous stream. Default 50 (1 s). */
  readonly talkspurtFrames?: number;
  /** Start-up delay of the first talkspurt (ms). Default 60 (the fixed buffer's). */
  readonly startupDelayMs?: number;
}

/** Per-talkspurt playout with a Ramjee estimator. */
class TalkspurtPolicy implements PlayoutPolicy {
  readonly capacityPackets = 200;
  private readonly talkspurtFrames: number;
  private readonly startupDelayMs: number;
  private readonly warmup: number[] = [];
  private initialised = false;
  private firstSeq: number | undefined;
  /** Playout offset chosen at each talkspurt's first packet, by talkspurt start. */
  private readonly chosen = new Map<number, number>();
  /** The talkspurt start being applied and its offset on the tick grid. */
  private applying: { readonly start: number; readonly offset: number } | undefined;

  constructor(
    readonly name: string,
    readonly estimator: DelayEstimator,
    options: TalkspurtOptions,
  ) {
    this.talkspurtFrames = options.talkspurtFrames ?? 50;
    this.startupDelayMs = options.startupDelayMs ?? 3 * FRAME_MS;
  }

  /** The playout delay the estimator asks for now: d̂ + 4·v̂. */
  get playoutDelay(): number {
    return this.estimator.d + 4 * this.estimator.v;
  }

  arrived(_view: BufferView, note: ArrivalNote): void {
    const n = note.now - note.mediaMs;
    this.firstSeq ??= note.seq;
    if (!this.initialised) {
      this.warmup.push(n);
      if (this.warmup.length < this.talkspurtFrames && note.seq < this.firstSeq + this.talkspurtFrames) return;
      const mean = this.warmup.reduce((a, b) => a + b, 0) / this.warmup.length;
      const dev = this.warmup.reduce((a, b) => a + Math.abs(b - mean), 0) / this.warmup.length;
      this.estimator.init(mean, dev, this.warmup);
      this.initialised = true;
    } else {
      this.estimator.update(n);
    }
    if (this.isTalkspurtStart(note.seq) && !this.chosen.has(note.seq)) this.chosen.set(note.seq, this.playoutDelay);
  }

  timeSynced(): void {}

  decide(view: BufferView): TickPlan {
    if (!view.started) return view.now >= view.firstArrivalMs! + this.startupDelayMs ? ADVANCE : HOLD;
    const cursor = view.cursor!;
    const offset = view.now - view.mediaOf(cursor);
    if (this.chosen.size > 8) for (const start of this.chosen.keys()) if (start < cursor) this.chosen.delete(start);
    if (this.isTalkspurtStart(cursor) && this.initialised && this.applying?.start !== cursor) {
      const delay = this.chosen.get(cursor) ?? this.playoutDelay;
      this.chosen.delete(cursor);
      this.applying = { start: cursor, offset: offset + FRAME_MS * Math.ceil((delay - offset) / FRAME_MS - 1e-9) };
    }
    if (this.applying === undefined || this.applying.start !== cursor) return ADVANCE;
    const frames = Math.round((offset - this.applying.offset) / FRAME_MS);
    return frames < 0 ? HOLD : drop(frames);
  }

  ticked(): void {}

  targetDelayMs(): number {
    return this.initialised ? 4 * this.estimator.v : this.startupDelayMs;
  }

  pollEvent(): PlayoutEvent | undefined {
    return undefined;
  }

  private isTalkspurtStart(seq: number): boolean {
    return this.firstSeq !== undefined && seq > this.firstSeq && (seq - this.firstSeq) % this.talkspurtFrames === 0;
  }
}

/** Algorithm 4's thresholds in ms. */
export interface SpikeOptions extends TalkspurtOptions {
  /** Spike start threshold (ms). Default 100 (the paper's 800 at 8 kHz). */
  readonly spikeThresholdMs?: number;
  /** Spike end threshold on var (ms). Default 7.875 (the paper's 63 at 8 kHz). */
  readonly spikeEndMs?: number;
}

/** Ramjee et al. Algorithm 1 behind the playout-controller interface. */
export function ramjeeAlgorithm1(options: TalkspurtOptions & { readonly alpha?: number } = {}): PlayoutController {
  return new JitterBuffer(new TalkspurtPolicy('ramjee-1', new Algorithm1Estimator(options.alpha), options));
}

/** Ramjee et al. Algorithm 4 (spike detection) behind the playout-controller interface. */
export function ramjeeAlgorithm4(options: SpikeOptions = {}): PlayoutController {
  return new JitterBuffer(new TalkspurtPolicy('ramjee-4', new Algorithm4Estimator(options.spikeThresholdMs, options.spikeEndMs), options));
}
