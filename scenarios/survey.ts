/**
 * The network survey: what each network preset does to a steady stream, measured on the simulator.
 *
 * Theory of operation: two nodes run the probe protocol; alice sends a ping to bob every `everyMs` on
 * the media channel for `durationS` simulated seconds and bob echoes it. From the trace we read every
 * round trip and every loss, and report them next to what the preset promises, with the trace hash
 * that makes the run reproducible. Then a direct call of the reference protocol runs on the same
 * network for as long, and its time sync's round-trip estimates are compared with the simulator's
 * ground truth (the audio report's `rtt`): how well the seed notes' 3-packet exchange measures it. It is the first thing `npm run sim` shows a new user, and a quick
 * check that a preset means what its table says.
 */
import { callProtocol } from '../protocol/index.ts';
import { AudioObserver, type RoundTripError } from './audio-report.ts';
import { probeProtocol, type ProbeCommand, type ProbeEvent } from './probe-protocol.ts';
import { Session } from './session.ts';
import { expectedLossRate, presetModel, TraceHasher, World, type TraceEvent, type TraceSink } from '../sim/index.ts';

/** What to survey. */
export interface SurveyOptions {
  /** Preset name. */
  readonly network: string;
  /** Root seed. */
  readonly seed: number;
  /** Simulated seconds of probing. */
  readonly durationS: number;
  /** Interval between pings (ms). */
  readonly everyMs: number;
}

/** What one survey measured. */
export interface SurveyResult {
  readonly network: string;
  readonly seed: number;
  /** Pings sent. */
  readonly pings: number;
  /** Round-trip losses (ping or pong lost) in % of pings. */
  readonly roundTripLossPct: number;
  /** What the preset's long-run one-way loss implies for a round trip, in %. */
  readonly expectedRoundTripLossPct: number;
  /** Round-trip time statistics over answered pings (ms). */
  readonly rttMs: { readonly mean: number; readonly p50: number; readonly p95: number; readonly p99: number; readonly max: number };
  /** Pings that arrived after a later ping (reordering seen by bob). */
  readonly reordered: number;
  /** Trace hash of the run. */
  readonly traceHash: string;
  /** Scheduler events run. */
  readonly events: number;
  /** Simulated milliseconds. */
  readonly simulatedMs: number;
}

class SurveyCollector implements TraceSink {
  readonly rtts: number[] = [];
  reordered = 0;
  private highestPing = -1;

  record(e: TraceEvent): void {
    if (e.kind === 'event') {
      const ev = e.event as ProbeEvent;
      if (ev.type === 'rtt') this.rtts.push(ev.rttMs);
    } else if (e.kind === 'deliver' && e.node === 'bob') {
      if (e.packet < this.highestPing) this.reordered++;
      else this.highestPing = e.packet;
    }
  }
}

/** Run one survey. */
export function survey(options: SurveyOptions): SurveyResult {
  const model = presetModel(options.network);
  const hasher = new TraceHasher();
  const collector = new SurveyCollector();
  const world = new World<ProbeCommand, ProbeEvent>({ seed: options.seed, network: options.network, trace: [hasher, collector] });
  world.addNode('alice', probeProtocol);
  world.addNode('bob', probeProtocol);
  const pings = Math.floor((options.durationS * 1000) / options.everyMs);
  world.command('alice', { type: 'probe', to: 'bob', count: pings, everyMs: options.everyMs, channel: 'media' });
  const run = world.runUntilIdle();
  const rtts = collector.rtts.sort((a, b) => a - b);
  const q = (p: number) => rtts[Math.min(rtts.length - 1, Math.floor(p * rtts.length))] ?? NaN;
  const oneWay = expectedLossRate(model.loss);
  return {
    network: options.network,
    seed: world.seed,
    pings,
    roundTripLossPct: (100 * (pings - rtts.length)) / pings,
    expectedRoundTripLossPct: 100 * (1 - (1 - oneWay) ** 2),
    rttMs: { mean: rtts.reduce((a, b) => a + b, 0) / rtts.length, p50: q(0.5), p95: q(0.95), p99: q(0.99), max: rtts[rtts.length - 1] ?? NaN },
    reordered: collector.reordered,
    traceHash: hasher.digest(),
    events: run.events,
    simulatedMs: run.now,
  };
}

/** The reference protocol's time sync on a call over a network: its round-trip error against the truth (%). */
export interface TimeSyncError {
  readonly medianErrorPercent: number;
  readonly p95ErrorPercent: number;
}

/** A direct call on the surveyed network: how far its time sync's round trip is from the truth. */
export function timeSyncError(options: SurveyOptions): TimeSyncError | undefined {
  const rtt = callRoundTripError(options.network, options.seed, options.durationS);
  return rtt === undefined ? undefined : { medianErrorPercent: rtt.medianErrorPercent, p95ErrorPercent: rtt.p95ErrorPercent };
}

/** A direct call of the reference protocol for `durationS` on `network`: its time sync's round-trip error, every estimate. */
export function callRoundTripError(network: string, seed: number, durationS: number): RoundTripError | undefined {
  const session = new Session(['alice', 'bob'], { protocol: callProtocol(), network, seed });
  // bob joins once the offer has surely arrived, even on the slowest preset
  session.script([[0, 'alice', { type: 'dial', peers: ['bob'] }], [3000, 'bob', { type: 'join', call: 'c1' }]]);
  const endMs = 3000 + durationS * 1000;
  const observer = new AudioObserver(session, endMs);
  session.until(endMs);
  return observer.report()?.rtt;
}
