/**
 * Baseline: a fixed buffer of three packets. Playout starts three frame times (60 ms) after the first
 * packet arrives and then never adapts: frame n plays at first arrival + 60 ms + (n − first)·20 ms (on
 * the tick grid), a missing frame is concealed and, if it comes later, discarded as late.
 */
import { JitterBuffer, ADVANCE, HOLD, type BufferView, type PlayoutPolicy, type TickPlan } from './jitter-buffer.ts';
import { FRAME_MS, type PlayoutController, type PlayoutEvent } from './playout.ts';

/** Settings of the fixed buffer. */
export interface FixedBufferOptions {
  /** Frames of delay before playout starts. Default 3. */
  readonly packets?: number;
}

/** The fixed buffer's policy. */
class FixedBufferPolicy implements PlayoutPolicy {
  readonly name: string;
  readonly capacityPackets = 200;
  private readonly delayMs: number;

  constructor(packets: number) {
    this.name = `fixed-${packets}`;
    this.delayMs = packets * FRAME_MS;
  }

  arrived(): void {}

  timeSynced(): void {}

  decide(view: BufferView): TickPlan {
    if (view.started) return ADVANCE;
    return view.now >= view.firstArrivalMs! + this.delayMs ? ADVANCE : HOLD;
  }

  ticked(): void {}

  targetDelayMs(): number {
    return this.delayMs;
  }

  pollEvent(): PlayoutEvent | undefined {
    return undefined;
  }
}

/** A controller with a fixed buffer of `packets` frames (default 3: 60 ms). */
export function fixedBuffer(options: FixedBufferOptions = {}): PlayoutController {
  return new JitterBuffer(new FixedBufferPolicy(options.packets ?? 3));
}
