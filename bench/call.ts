/**
 * `call`: the speed of a group call with audio — every peer in one call, the time sync and 20 ms frames
 * both ways on every pair, the playout controller on every stream — as simulated ms per wall ms (the
 * "× real time" factor), for 8 peers (the headline) and for 2, 4, 8 and 16 peers (how the cost grows).
 * The network is `wifi`; there is no trace sink and no invariant checker: this is the simulator and the
 * protocol alone. `call-8-fixed-3` runs the 8-peer call with the fixed 3-packet buffer instead of our
 * playout controller: the difference is what our controller costs, the rest is the simulator, the
 * signaling, the time sync, the codec and the jitter-buffer core.
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

/** The `call` workload (not in the default set: `npm run bench -- call`). */
export const groupCall: Workload = {
  name: 'call',
  summary: 'a group call with audio on wifi: 2, 4, 8 and 16 peers (simulated : real time)',
  byDefault: false,
  cases: [...[2, 4, 8, 16].map((peers) => groupCase(peers)), groupCase(8, 'fixed-3')],
};
