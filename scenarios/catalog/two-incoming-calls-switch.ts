/** Seed notes, test case "two incoming calls at once": a group call and a direct call ring together; carol answers both in turn. */
import { defineScenario } from '../scenario.ts';
import { all, events, membership, pending } from './checks.ts';

export default defineScenario({
  name: 'two-incoming-calls-switch',
  title: 'a group and a direct call ring at once; carol answers the group, then switches to the direct call, and the group stays pending',
  requirements: ['R2', 'R11'],
  peers: ['alice', 'bob', 'carol', 'dave'],
  networks: ['perfect', '3g'],
  steps: [
    [0, 'alice', { type: 'dial', peers: ['carol', 'dave'] }],
    [3000, 'bob', { type: 'dial', peers: ['carol'] }],
    [8000, 'carol', { type: 'join', call: 'c1' }],
    [16_000, 'carol', { type: 'join', call: 'c2' }],
  ],
  durationMs: 25_000,
  expect: all(
    events({
      alice: ['joined c1 [alice]', '+carol', '-carol (left)'],
      bob: ['joined c2 [bob]', '+carol'],
      carol: ['incoming c1 from alice', 'incoming c2 from bob', 'joined c1 [alice carol]', 'left c1 (switched)', 'pending c1', 'joined c2 [bob carol]'],
      dave: ['incoming c1 from alice', 'ring-timeout c1'],
    }),
    membership('c1', 'alice:joined carol:left dave:invited', ['alice', 'carol', 'dave']),
    membership('c2', 'bob:joined carol:joined', ['bob', 'carol']),
    pending({ alice: [], bob: [], carol: ['c1'], dave: ['c1'] }),
  ),
});
