/** Seed notes, requirement "if everyone leaves the call, it will not be shown as a pending call." */
import { defineScenario } from '../scenario.ts';
import { all, events, membership, pending } from './checks.ts';

export default defineScenario({
  name: 'everyone-leaves-not-pending',
  title: 'when everyone has left a group call it is pending for nobody: the leavers see it cancelled, the one who never answered gets a missed call',
  requirements: ['R5', 'R9'],
  peers: ['alice', 'bob', 'carol', 'dave'],
  networks: ['perfect', 'cellular'],
  steps: [
    [0, 'alice', { type: 'dial', peers: ['bob', 'carol', 'dave'] }],
    [4000, 'bob', { type: 'join', call: 'c1' }],
    [8000, 'carol', { type: 'join', call: 'c1' }],
    [12_000, 'carol', { type: 'leave' }],
    [16_000, 'bob', { type: 'leave' }],
    [20_000, 'alice', { type: 'leave' }],
  ],
  durationMs: 24_000,
  expect: all(
    events({
      alice: ['joined c1 [alice]', '+bob', '+carol', '-carol (left)', '-bob (left)', 'left c1 (user)'],
      bob: ['incoming c1 from alice', 'joined c1 [alice bob]', '+carol', '-carol (left)', 'left c1 (user)', 'pending c1', 'cancelled c1'],
      carol: ['incoming c1 from alice', 'joined c1 [alice bob carol]', 'left c1 (user)', 'pending c1', 'cancelled c1'],
      dave: ['incoming c1 from alice', 'cancelled c1', 'missed c1'],
    }),
    membership('c1', 'alice:left bob:left carol:left dave:invited'),
    pending({ alice: [], bob: [], carol: [], dave: [] }),
  ),
});
