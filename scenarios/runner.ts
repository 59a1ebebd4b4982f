/**
 * Runs one scenario on one network with one seed and one protocol, and judges it.
 *
 * Theory of operation: a `Session` runs the script for `durationMs` while the `InvariantChecker` watches
 * every node settle. Then, unless the scenario opts out, the quiet phase begins: every partition heals,
 * every held link is released, paused nodes resume, switched-off nodes start again, and the network stops
 * losing packets (it keeps its delays); after `boundMs` the liveness invariants are checked. Finally the
 * scenario's own expectations run. The report carries every violation, the trace hash (the same seed
 * gives the same hash) and the run's size.
 */
import type { PeerId } from '../protocol/contract.ts';
import { TraceHasher, type NetworkSpec, type TraceSink } from '../sim/index.ts';
import { AudioObserver, type AudioReport } from './audio-report.ts';
import { InvariantChecker, type Violation } from './invariants.ts';
import type { ProtocolChoice } from './protocols.ts';
import { DEFAULT_SETTLE_MS, networkLabel, type Scenario } from './scenario.ts';
import { Session } from './session.ts';

/** How to run a scenario. */
export interface RunOptions {
  /** The network (a preset name or settings). */
  readonly network: NetworkSpec;
  /** Root seed. */
  readonly seed: number;
  /** The protocol. */
  readonly protocol: ProtocolChoice;
  /** Compute the trace hash (default true; the fuzzer skips it for speed). */
  readonly hash?: boolean;
  /** Extra trace sinks. */
  readonly trace?: readonly TraceSink[];
  /** Report the audio (default true when the protocol runs audio; the fuzzer skips it for speed). */
  readonly audio?: boolean;
}

/** The verdict of one run, as `--json` prints it. */
export interface RunReport {
  readonly scenario: string;
  readonly seed: number;
  readonly network: string;
  readonly protocol: string;
  readonly ok: boolean;
  readonly violations: readonly Violation[];
  readonly traceHash: string | undefined;
  /** Call quality and the time sync's round-trip error, when the protocol ran audio. */
  readonly audio?: AudioReport;
  readonly stats: { readonly events: number; readonly messages: number; readonly simulatedMs: number; readonly wallMs: number };
}

/** Run `scenario` once and judge it. */
export function runScenario(scenario: Scenario, options: RunOptions): RunReport {
  const started = performance.now();
  const media = scenario.config?.audio !== false && options.protocol.media !== false;
  const checker = new InvariantChecker({ idleCallsForgotten: scenario.forgetsIdleCalls === true, media });
  const hasher = options.hash === false ? undefined : new TraceHasher();
  const session = new Session(scenario.peers, {
    protocol: options.protocol.make(scenario.config),
    network: options.network,
    ...(scenario.media === undefined ? {} : { media: scenario.media }),
    ...(scenario.links === undefined ? {} : { links: scenario.links }),
    seed: options.seed,
    ...(scenario.offline === undefined ? {} : { offline: scenario.offline }),
    ...(scenario.clocks === undefined ? {} : { clocks: scenario.clocks }),
    ...(scenario.puppets === undefined ? {} : { puppets: scenario.puppets }),
    trace: [checker, ...(hasher ? [hasher] : []), ...(options.trace ?? [])],
  });
  checker.attach(session);
  const endMs = scenario.durationMs + (scenario.settle === false ? 0 : (scenario.settle?.boundMs ?? DEFAULT_SETTLE_MS));
  const audio = media && options.audio !== false ? new AudioObserver(session, endMs) : undefined;
  runWatched(session.script(scenario.steps), checker, scenario.durationMs);
  if (scenario.settle !== false && !checker.runaway) {
    checker.quietPhase(session.world.now);
    quiet(session, scenario.puppets ?? []);
    runWatched(session, checker, endMs);
    if (!checker.runaway) checker.checkLiveness();
  }
  const violations = [...checker.violations];
  for (const message of scenario.expect?.(session) ?? []) {
    violations.push({ invariant: 'expectation', requirement: scenario.requirements.join('/'), node: '-', atMs: session.world.now, message, context: [] });
  }
  const audioReport = audio?.report(); // after the expectations: it may label calls they never named
  return {
    scenario: scenario.name,
    seed: session.world.seed,
    network: networkLabel(options.network),
    protocol: options.protocol.name,
    ok: violations.length === 0,
    violations,
    traceHash: hasher?.digest(),
    ...(audioReport === undefined ? {} : { audio: audioReport }),
    stats: { events: session.world.scheduler.eventsRun, messages: session.world.stats.sent, simulatedMs: session.world.now, wallMs: performance.now() - started },
  };
}

/**
 * Run `session` until `untilMs`, a simulated second at a time, and stop early once the checker found a
 * storm (`signaling-bounded`): its traffic grows without end, and so would the run's wall time.
 */
function runWatched(session: Session, checker: InvariantChecker, untilMs: number): void {
  let t = session.world.now;
  do {
    t = Math.min(untilMs, t + 1000);
    session.until(t);
  } while (t < untilMs && !checker.runaway);
}

/** End every fault: heal, release, resume, restart, and stop losses. */
function quiet(session: Session, puppets: readonly PeerId[]): void {
  const world = session.world;
  world.heal();
  world.releaseAll();
  world.stopLosses();
  for (const peer of session.peers) {
    if (puppets.includes(peer)) continue;
    const state = world.host(peer).state;
    if (state === 'paused') world.resume(peer);
    else if (state === 'down') world.restart(peer);
  }
}
