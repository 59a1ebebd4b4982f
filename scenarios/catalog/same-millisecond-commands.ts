/** Seed notes, "what if two tasks simultaneously are trying to send the join and leave signals? problem.": commands from one app in the same millisecond. */
import { defineScenario } from '../scenario.ts';
import { all, events, membership } from './checks.ts';

export default defineScenario({
  name: 'same-millisecond-commands',
  title: 'join then leave, and join-leave-join, from one app in the same millisecond: the latest command wins on every node',
  requirements: ['R4'],
  peers: ['alice', 'bob', 'carol'],
  networks: ['perfect', 'cellular'],
  steps: [
    [0, 'alice', { type: 'dial', peers: ['bob', 'carol'] }],
    [5000, 'bob', { type: 'join', call: 'c1' }],
    [5000, 'bob', { type: 'leave' }],
    [10_000, 'carol', { type: 'join', call: 'c1' }],
    [10_000, 'carol', { type: 'leave' }],
    [10_000, 'carol', { type: 'join', call: 'c1' }],
  ],
  durationMs: 15_000,
  expect: all(
    events({
      bob: ['incoming c1 from alice', 'joined c1 [alice bob]', 'left c1 (user)', 'pending c1'],
      carol: ['incoming c1 from alice', 'joined c1 [alice carol]', 'left c1 (user)', 'pending c1', 'joined c1 [alice carol]'],
    }),
    membership('c1', 'alice:joined bob:left carol:joined'),
  ),
});
