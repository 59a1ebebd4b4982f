/** Seed notes, requirement "for a 2 way call (not a group call), if one person leaves, the call automatically ends." */
import { defineScenario } from '../scenario.ts';
import { all, events, membership, pending, refused } from './checks.ts';

export default defineScenario({
  name: 'direct-call-ends',
  title: 'in a direct call, when one leaves the call ends for the other too, and neither can rejoin it',
  requirements: ['R1', 'R6'],
  peers: ['alice', 'bob'],
  networks: ['perfect', '3g', 'edge'],
  steps: [
    [0, 'alice', { type: 'dial', peers: ['bob'] }],
    [5000, 'bob', { type: 'join', call: 'c1' }],
    [10_000, 'alice', { type: 'leave' }],
    [15_000, 'bob', { type: 'join', call: 'c1' }],
    [15_000, 'alice', { type: 'join', call: 'c1' }],
  ],
  durationMs: 20_000,
  expect: all(
    events({
      alice: ['joined c1 [alice]', '+bob', 'left c1 (user)'],
      bob: ['incoming c1 from alice', 'joined c1 [alice bob]', '-alice (left)', 'left c1 (direct-ended)'],
    }),
    membership('c1', 'alice:left bob:left'),
    pending({ alice: [], bob: [] }),
    refused(15_000, 'bob', 'call-ended'),
    refused(15_000, 'alice', 'call-ended'),
  ),
});
