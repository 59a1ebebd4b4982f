/** Seed notes, test case "group calls where multiple ppl join then 1 leaves, does the pending call get cleared? it shouldn't." */
import { defineScenario } from '../scenario.ts';
import { all, events, membership, pending } from './checks.ts';

export default defineScenario({
  name: 'group-one-leaves',
  title: 'several join a group call, one leaves: the call stays pending for the invitee who has not answered (and for the leaver)',
  requirements: ['R5', 'R6'],
  peers: ['alice', 'bob', 'carol', 'dave'],
  networks: ['perfect', 'wifi-lossy', '3g'],
  steps: [
    [0, 'alice', { type: 'dial', peers: ['bob', 'carol', 'dave'] }],
    [8000, 'bob', { type: 'join', call: 'c1' }],
    [16_000, 'carol', { type: 'join', call: 'c1' }],
    [24_000, 'carol', { type: 'leave' }],
  ],
  durationMs: 30_000,
  expect: all(
    events({
      alice: ['joined c1 [alice]', '+bob', '+carol', '-carol (left)'],
      bob: ['incoming c1 from alice', 'joined c1 [alice bob]', '+carol', '-carol (left)'],
      carol: ['incoming c1 from alice', 'joined c1 [alice bob carol]', 'left c1 (user)', 'pending c1'],
      dave: ['incoming c1 from alice', 'ring-timeout c1'],
    }),
    membership('c1', 'alice:joined bob:joined carol:left dave:invited'),
    pending({ alice: [], bob: [], carol: ['c1'], dave: ['c1'] }),
  ),
});
