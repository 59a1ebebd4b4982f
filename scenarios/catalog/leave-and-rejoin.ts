/** Seed notes, requirement "people can leave and re-join the call as needed." */
import { defineScenario } from '../scenario.ts';
import { all, events, membership } from './checks.ts';

export default defineScenario({
  name: 'leave-and-rejoin',
  title: 'bob leaves and rejoins a group call several times; everyone follows each change',
  requirements: ['R4', 'R7'],
  peers: ['alice', 'bob', 'carol'],
  networks: ['perfect', 'wifi-lossy', 'congested'],
  steps: [
    [0, 'alice', { type: 'dial', peers: ['bob', 'carol'] }],
    [4000, 'carol', { type: 'join', call: 'c1' }],
    [8000, 'bob', { type: 'join', call: 'c1' }],
    [16_000, 'bob', { type: 'leave' }],
    [24_000, 'bob', { type: 'join', call: 'c1' }],
    [32_000, 'bob', { type: 'leave' }],
    [40_000, 'bob', { type: 'join', call: 'c1' }],
  ],
  durationMs: 45_000,
  expect: all(
    events({
      alice: ['joined c1 [alice]', '+carol', '+bob', '-bob (left)', '+bob', '-bob (left)', '+bob'],
      bob: [
        'incoming c1 from alice',
        ...['joined c1 [alice bob carol]', 'left c1 (user)', 'pending c1'],
        ...['joined c1 [alice bob carol]', 'left c1 (user)', 'pending c1'],
        'joined c1 [alice bob carol]',
      ],
      carol: ['incoming c1 from alice', 'joined c1 [alice carol]', '+bob', '-bob (left)', '+bob', '-bob (left)', '+bob'],
    }),
    membership('c1', 'alice:joined bob:joined carol:joined'),
  ),
});
