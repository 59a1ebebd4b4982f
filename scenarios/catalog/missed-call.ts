/** Seed notes, "show a missed call?" and "peers can ... take no action": an unanswered direct call rings out, then the caller hangs up. */
import { defineScenario } from '../scenario.ts';
import { all, events, membership, pending } from './checks.ts';

export default defineScenario({
  name: 'missed-call',
  title: 'bob takes no action on a direct call: it rings for the ring time, stays pending, and becomes a missed call when alice hangs up',
  requirements: ['R2', 'R9'],
  peers: ['alice', 'bob'],
  networks: ['perfect', 'edge'],
  steps: [
    [0, 'alice', { type: 'dial', peers: ['bob'] }],
    [40_000, 'alice', { type: 'leave' }],
  ],
  durationMs: 45_000,
  expect: all(
    events({
      alice: ['joined c1 [alice]', 'left c1 (user)'],
      bob: ['incoming c1 from alice', 'ring-timeout c1', 'cancelled c1', 'missed c1'],
    }),
    membership('c1', 'alice:left bob:invited'),
    pending({ alice: [], bob: [] }),
  ),
});
