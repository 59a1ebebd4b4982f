/** Seed notes, requirement "if someone leaves, turns off the app, and turns it on again, they can join the call." */
import { defineScenario } from '../scenario.ts';
import { all, events, membership } from './checks.ts';

export default defineScenario({
  name: 'crash-restart-rejoin',
  title: 'the app is turned off and on, once while in the call and once after leaving it; each time bob rejoins',
  requirements: ['R7'],
  peers: ['alice', 'bob', 'carol'],
  networks: ['perfect', '3g'],
  steps: [
    [0, 'alice', { type: 'dial', peers: ['bob', 'carol'] }],
    [3000, 'carol', { type: 'join', call: 'c1' }],
    [6000, 'bob', { type: 'join', call: 'c1' }],
    [10_000, 'bob', { type: 'crash' }],
    [14_000, 'bob', { type: 'restart' }],
    [18_000, 'bob', { type: 'join', call: 'c1' }],
    [22_000, 'bob', { type: 'leave' }],
    [24_000, 'bob', { type: 'crash' }],
    [28_000, 'bob', { type: 'restart' }],
    [32_000, 'bob', { type: 'join', call: 'c1' }],
  ],
  durationMs: 36_000,
  expect: all(
    events({
      alice: ['joined c1 [alice]', '+carol', '+bob', '-bob (left)', '+bob', '-bob (left)', '+bob'],
      bob: [
        'incoming c1 from alice',
        ...['joined c1 [alice bob carol]', 'left c1 (restart)', 'pending c1'],
        ...['joined c1 [alice bob carol]', 'left c1 (user)', 'pending c1'],
        'joined c1 [alice bob carol]',
      ],
      carol: ['incoming c1 from alice', 'joined c1 [alice carol]', '+bob', '-bob (left)', '+bob', '-bob (left)', '+bob'],
    }),
    membership('c1', 'alice:joined bob:joined carol:joined'),
  ),
});
