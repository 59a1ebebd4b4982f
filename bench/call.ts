/**
 * The speed of a group call with audio — every peer in one call, the time sync and 20 ms frames both
 * ways on every pair, the playout controller on every stream — as simulated ms per wall ms (the
 * "× real time" factor). `call` (in the default set) is the goal's workload: whole 8-peer calls of 60
 * simulated seconds, one after another, each from a fresh world (joins, time syncs and windows filling
 * included). `call-scaling` runs one call of 2, 4, 8 and 16 peers for as long as the calibration asks
 * (minutes of simulated time: the steady state, where the 30 s and 60 s windows expire samples too),
 * which shows how the cost grows with the peers. The network is `wifi`; there is no trace sink and no
 * invariant checker: this is the simulator and the protocol alone. The `-fixed-3` rows run the same
 * 8-peer calls with the fixed 3-packet buffer instead of our playout controller: the difference is what
 * our controller costs, the rest is the simulator, the signaling, the time sync, the codec and the
 * jitter-buffer core.
 */
import { callProtocol } from '../protocol/index.ts';
import { Session } from '../scenarios/session.ts';
import type { BenchCase, RunCounts, Workload } from './harness.ts';

/** Run a call of `peers` peers for `simulatedMs` (everyone joins within the first second), with `playout`. */
export function runGroupCall(peers: number, simulatedMs: number, playout = 'callsim'): RunCounts {
  const names = Array.from({ length: peers }, (_, i) => `p${i}`);
  const session = new Session(names, { protocol: callProtocol({ playout }), network: 'wifi', seed: 1 });
  session.script([[0, 'p0', { type: 'dial', peers: names.slice(1) }], ...names.slice(1).map((p, i) => [500 + i, p, { type: 'join', call: 'c1' }] as const)]);
  session.until(simulatedMs);
  return { events: session.world.scheduler.eventsRun, packets: session.world.stats.delivered, simulatedMs };
}

const groupCase = (peers: number, playout = 'callsim'): BenchCase => ({
  name: playout === 'callsim' ? `call-${peers}` : `call-${peers}-${playout}`,
  unit: 'simulated ms',
  initialSize: 1_000,
  run: (ms) => runGroupCall(peers, ms, playout),
});

/** Simulated length of each call of the headline rows (ms). */
const HEADLINE_CALL_MS = 60_000;

const headlineCase = (playout = 'callsim'): BenchCase => ({
  name: playout === 'callsim' ? 'call-8-60s' : `call-8-60s-${playout}`,
  unit: 'calls of 60 s',
  initialSize: 1,
  run: (calls) => {
    let events = 0;
    let packets = 0;
    for (let i = 0; i < calls; i++) {
      const counts = runGroupCall(8, HEADLINE_CALL_MS, playout);
      events += counts.events;
      packets += counts.packets!;
    }
    return { events, packets, simulatedMs: calls * HEADLINE_CALL_MS };
  },
});

/** The `call` workload, in the default set: the goal's 8-peer calls of 60 s, with our controller and with the fixed buffer. */
export const groupCall: Workload = {
  name: 'call',
  summary: 'whole 8-peer group calls of 60 s with audio on wifi, with our playout controller and with the fixed 3-packet buffer (simulated : real time)',
  byDefault: true,
  cases: [headlineCase(), headlineCase('fixed-3')],
};

/** The `call-scaling` workload (`npm run bench -- call-scaling`): one long call of 2, 4, 8 and 16 peers, and the 8-peer one with the fixed buffer. */
export const groupCallScaling: Workload = {
  name: 'call-scaling',
  summary: 'one long group call with audio on wifi of 2, 4, 8 and 16 peers (how the cost grows with the peers; simulated : real time)',
  byDefault: false,
  cases: [...[2, 4, 8, 16].map((peers) => groupCase(peers)), groupCase(8, 'fixed-3')],
};
