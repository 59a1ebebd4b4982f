/** Seed notes, requirement "for a group call, if everyone else leaves, the call can continue." */
import { defineScenario } from '../scenario.ts';
import { activeIn, all, events, membership, pending } from './checks.ts';

export default defineScenario({
  name: 'group-goes-on-alone',
  title: 'a group call goes on with one person left in it (not the caller), and stays pending for those who left',
  requirements: ['R5', 'R6'],
  peers: ['alice', 'bob', 'carol'],
  networks: ['perfect', 'cellular'],
  steps: [
    [0, 'alice', { type: 'dial', peers: ['bob', 'carol'] }],
    [5000, 'bob', { type: 'join', call: 'c1' }],
    [10_000, 'carol', { type: 'join', call: 'c1' }],
    [15_000, 'alice', { type: 'leave' }],
    [20_000, 'carol', { type: 'leave' }],
  ],
  durationMs: 25_000,
  expect: all(
    events({
      alice: ['joined c1 [alice]', '+bob', '+carol', 'left c1 (user)', 'pending c1'],
      bob: ['incoming c1 from alice', 'joined c1 [alice bob]', '+carol', '-alice (left)', '-carol (left)'],
      carol: ['incoming c1 from alice', 'joined c1 [alice bob carol]', '-alice (left)', 'left c1 (user)', 'pending c1'],
    }),
    membership('c1', 'alice:left bob:joined carol:left'),
    activeIn('c1', ['bob']),
    pending({ alice: ['c1'], bob: [], carol: ['c1'] }),
  ),
});
