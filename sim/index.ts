/**
 * The simulator's public surface: build a `World`, add nodes that implement the driving contract, shape
 * the links, script faults, run, and read the trace.
 */
export { ConfigError } from './errors.ts';
export { Host, type HostState } from './host.ts';
export { Link, type LinkStats, type Packet } from './link.ts';
export {
  DELAY_DISTRIBUTIONS,
  expectedLossRate,
  PERFECT_LINK,
  resolveLinkModel,
  type DelayDistribution,
  type LinkModel,
  type LinkOverrides,
  type LossModel,
  type SlotConfig,
  type StallConfig,
} from './link-config.ts';
export { checkClockSetting, type ClockSetting } from './node-clock.ts';
export { PRESET_NAMES, PRESETS, presetModel, presetTable, type Preset } from './presets.ts';
export { RandomStream, RandomStreams } from './random.ts';
export { Scheduler, type RunResult } from './scheduler.ts';
export { canonicalJson, encodeTraceEvent, TraceHasher, TraceLines, TraceRecorder, TraceRing, type DropReason, type TraceEvent, type TraceKind, type TraceSink } from './trace.ts';
export { NODE_ID, NODE_ID_RULE, World, type LinkSelector, type NetworkSpec, type WorldOptions, type WorldStats } from './world.ts';
