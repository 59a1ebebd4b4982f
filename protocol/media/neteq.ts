/**
 * Baseline: a NetEQ-style controller (libwebrtc's DecisionLogic, about 2023) on the shared core, with
 * NetEQ's target delay (neteq-delay.ts).
 *
 * Theory of operation, per 20 ms tick (NetEQ decides every 10 ms; its buffer-level filter therefore
 * runs twice per tick):
 *   - The filtered buffer level: filtered = k·filtered + (1 − k)·span, k = 251/256 for a target up to
 *     20 ms, 252 up to 60, 253 up to 140, else 254; minus the audio time-stretching removed (plus what
 *     it added); reset to the span after a flush. The span is newest − oldest queued + one frame.
 *   - Expected frame there: right after an expand, play it. Otherwise with low = max(¾·target,
 *     target − 85 ms) and high = max(target, low + 20 ms): filtered ≥ 4·high → fast accelerate; if time
 *     stretching is allowed: ≥ high → accelerate, < low → preemptive expand; else play.
 *   - Nothing queued: expand (conceal and wait: the playout holds).
 *   - A later frame queued but not the expected one: after an expand, keep expanding while the gap is
 *     longer than the expands done so far, the filtered level is under target, fewer than 100 ms were
 *     expanded and the gap is under 1 s; then merge (skip the missing frames, play the later one).
 *     Without a preceding expand, expand first.
 *   - After an expand whose output has faded (mute factor under ½, which we take as 3 consecutive
 *     expands), keep expanding while the buffer holds less than half the target.
 *   - A packet into a buffer of 200 packets flushes it.
 * Our time stretching moves whole 20 ms frames: accelerate and fast accelerate drop one frame,
 * preemptive expand holds one. NetEQ allows a time-stretch at most every 5 ticks of 10 ms, which its
 * source puts at "about 100 ms/s"; frames of 20 ms keep that rate at one stretch every 200 ms. Fast
 * accelerate is not rate-limited, as in NetEQ.
 */
import { ADVANCE, drop, HOLD, JitterBuffer, type ArrivalNote, type BufferView, type PlayoutPolicy, type TickPlan } from './jitter-buffer.ts';
import { NetEqDelayManager } from './neteq-delay.ts';
import { FRAME_MS, type PlayoutController, type PlayoutEvent, type TickAudio } from './playout.ts';

/** NetEQ's operations, as our frame-granular core carries them out. */
export type NetEqOperation = 'normal' | 'expand' | 'merge' | 'accelerate' | 'fast-accelerate' | 'preemptive-expand';

/** NetEQ's buffer-level filter (in ms instead of Q8 samples). */
export class BufferLevelFilter {
  /** The filtered level (ms). */
  level = 0;
  private factor = 253 / 256;

  /** Choose the smoothing from the target (ms). */
  setTarget(targetMs: number): void {
    this.factor = (targetMs <= 20 ? 251 : targetMs <= 60 ? 252 : targetMs <= 140 ? 253 : 254) / 256;
  }

  /** One update with the current span and the audio removed by time stretching since the last one. */
  update(spanMs: number, stretchedMs: number): void {
    this.level = Math.max(0, this.factor * this.level + (1 - this.factor) * spanMs - stretchedMs);
  }
}

/** Settings of the NetEQ-style controller. */
export interface NetEqOptions {
  /** Packets the buffer holds before a flush. Default 200. */
  readonly capacityPackets?: number;
  /** Least time between two rate-limited time stretches (ms). Default 200. */
  readonly timescaleIntervalMs?: number;
}

/** NetEQ's decision logic over the shared core. */
class NetEqPolicy implements PlayoutPolicy {
  readonly name = 'neteq';
  readonly capacityPackets: number;
  /** The delay manager (target delay). */
  readonly delay: NetEqDelayManager;
  /** The buffer-level filter. */
  readonly filter = new BufferLevelFilter();
  private readonly timescaleIntervalMs: number;
  private lastOperation: NetEqOperation = 'normal';
  private planned: NetEqOperation = 'normal';
  private consecutiveExpands = 0;
  private stretchedMs = 0;
  private lastTimescaleAt = -Infinity;
  private flushed = false;

  constructor(options: NetEqOptions) {
    this.capacityPackets = options.capacityPackets ?? 200;
    this.timescaleIntervalMs = options.timescaleIntervalMs ?? 200;
    this.delay = new NetEqDelayManager((3 * this.capacityPackets * FRAME_MS) / 4);
  }

  /** Target level (ms): the delay manager's target, at least one packet. */
  get targetLevelMs(): number {
    return Math.max(this.delay.targetMs, FRAME_MS);
  }

  arrived(_view: BufferView, note: ArrivalNote): void {
    this.delay.arrived(note.mediaMs, note.now);
    if (note.flushed) this.flushed = true;
  }

  timeSynced(): void {}

  decide(view: BufferView): TickPlan {
    const target = this.targetLevelMs;
    this.filter.setTarget(target);
    if (this.flushed) {
      this.filter.level = view.spanMs();
      this.flushed = false;
    } else {
      this.filter.update(view.spanMs(), this.stretchedMs);
      this.filter.update(view.spanMs(), 0);
    }
    this.stretchedMs = 0;
    this.planned = view.started ? this.operation(view, target) : 'normal';
    switch (this.planned) {
      case 'normal':
        return ADVANCE;
      case 'expand':
      case 'preemptive-expand':
        return HOLD;
      case 'accelerate':
      case 'fast-accelerate':
        return drop(1);
      case 'merge':
        return drop(view.nextQueuedAfterCursor()!.seq - view.cursor!);
    }
  }

  ticked(_view: BufferView, audio: TickAudio): void {
    if (audio.type === 'silence') return;
    this.lastOperation = this.planned;
    this.consecutiveExpands = this.planned === 'expand' ? this.consecutiveExpands + 1 : 0;
    if (this.planned === 'accelerate' || this.planned === 'fast-accelerate') this.stretchedMs += FRAME_MS;
    if (this.planned === 'preemptive-expand') this.stretchedMs -= FRAME_MS;
  }

  targetDelayMs(): number {
    return this.targetLevelMs;
  }

  pollEvent(): PlayoutEvent | undefined {
    return undefined;
  }

  private operation(view: BufferView, target: number): NetEqOperation {
    const cursor = view.cursor!;
    const next = view.frame(cursor) ?? view.nextQueuedAfterCursor();
    if (next === undefined) return 'expand';
    const afterExpand = this.lastOperation === 'expand';
    const faded = afterExpand && this.consecutiveExpands >= 3;
    if (faded && view.spanMs() < target / 2) return 'expand';
    if (next.seq === cursor) return afterExpand ? 'normal' : this.timeStretch(view.now, target);
    if (!afterExpand) return 'expand';
    const leapMs = (next.seq - cursor) * FRAME_MS;
    const tooEarly = leapMs > FRAME_MS * this.consecutiveExpands;
    const waitedEnough = this.consecutiveExpands * FRAME_MS >= 100;
    const underTarget = this.filter.level < target;
    return tooEarly && underTarget && !waitedEnough && leapMs < 1000 ? 'expand' : 'merge';
  }

  private timeStretch(now: number, target: number): NetEqOperation {
    const low = Math.max((3 * target) / 4, target - 85);
    const high = Math.max(target, low + FRAME_MS);
    const level = this.filter.level;
    if (level >= 4 * high) return this.stretched(now, 'fast-accelerate');
    if (now - this.lastTimescaleAt >= this.timescaleIntervalMs) {
      if (level >= high) return this.stretched(now, 'accelerate');
      if (level < low) return this.stretched(now, 'preemptive-expand');
    }
    return 'normal';
  }

  private stretched(now: number, operation: NetEqOperation): NetEqOperation {
    this.lastTimescaleAt = now;
    return operation;
  }
}

/** A NetEQ-style controller behind the playout-controller interface. */
export function netEqStyle(options: NetEqOptions = {}): PlayoutController {
  return new JitterBuffer(new NetEqPolicy(options));
}
