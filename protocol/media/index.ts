/**
 * The media plane's playout lab: the playout-controller interface, the shared jitter-buffer core, the
 * baselines (fixed buffer, Ramjee et al. Algorithms 1 and 4, NetEQ-style), our controller, the per-stream
 * metrics and the E-model. Sans-IO like the rest of protocol/: time comes in with every input.
 */
import { callsimPlayout } from './callsim-playout.ts';
import { fixedBuffer } from './fixed-buffer.ts';
import { netEqStyle } from './neteq.ts';
import type { PlayoutController } from './playout.ts';
import { ramjeeAlgorithm1, ramjeeAlgorithm4 } from './ramjee.ts';

export * from './playout.ts';
export { streamQuality, FRAME_ALLOWANCE_MS, type PlayoutStats, type StreamQuality } from './playout-stats.ts';
export { burstRatio, delayImpairment, G711_PLC, lossImpairment, mosFromR, rFactor, type CodecImpairment, type EModelInput } from './emodel.ts';
export { ADVANCE, drop, HOLD, JitterBuffer, type ArrivalNote, type BufferView, type PlayoutPolicy, type QueuedFrame, type TickPlan, type TimeSyncNote } from './jitter-buffer.ts';
export { fixedBuffer, ramjeeAlgorithm1, ramjeeAlgorithm4, netEqStyle, callsimPlayout };

/** One playout algorithm of the lab: its name and how to make a controller for a new stream. */
export interface PlayoutAlgorithm {
  /** Short name, as in bench tables. */
  readonly name: string;
  /** A fresh controller for one incoming stream. */
  create(): PlayoutController;
}

/** Every algorithm of the lab, baselines first and ours last. */
export const PLAYOUT_ALGORITHMS: readonly PlayoutAlgorithm[] = [
  { name: 'fixed-3', create: () => fixedBuffer() },
  { name: 'ramjee-1', create: () => ramjeeAlgorithm1() },
  { name: 'ramjee-4', create: () => ramjeeAlgorithm4() },
  { name: 'neteq', create: () => netEqStyle() },
  { name: 'callsim', create: () => callsimPlayout() },
];

/** The algorithm named `name` among `algorithms` (a RangeError listing them when none is). */
export function playoutNamed(name: unknown, algorithms: readonly PlayoutAlgorithm[] = PLAYOUT_ALGORITHMS): PlayoutAlgorithm {
  const algorithm = algorithms.find((a) => a.name === name);
  if (algorithm === undefined) throw new RangeError(`playout: expected one of ${algorithms.map((a) => a.name).join(', ')}, got ${String(name)}`);
  return algorithm;
}
