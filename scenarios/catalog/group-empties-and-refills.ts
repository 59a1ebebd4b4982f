/** Seed notes, requirements "if everyone leaves the call, it will not be shown as a pending call" and "people can leave and re-join": a group that empties and refills. */
import { defineScenario } from '../scenario.ts';
import { all, events, membership, pending } from './checks.ts';

export default defineScenario({
  name: 'group-empties-and-refills',
  title: 'a group call empties (pending for nobody, a missed call for the silent invitee) and refills (pending again, and joinable)',
  requirements: ['R5', 'R7', 'R9'],
  peers: ['alice', 'bob', 'carol'],
  networks: ['perfect', 'wifi-lossy'],
  steps: [
    [0, 'alice', { type: 'dial', peers: ['bob', 'carol'] }],
    [8000, 'bob', { type: 'join', call: 'c1' }],
    [16_000, 'alice', { type: 'leave' }],
    [35_000, 'bob', { type: 'leave' }],
    [43_000, 'alice', { type: 'join', call: 'c1' }],
    [51_000, 'carol', { type: 'join', call: 'c1' }],
  ],
  durationMs: 56_000,
  expect: all(
    events({
      alice: ['joined c1 [alice]', '+bob', 'left c1 (user)', 'pending c1', 'cancelled c1', 'joined c1 [alice]', '+carol'],
      bob: ['incoming c1 from alice', 'joined c1 [alice bob]', '-alice (left)', 'left c1 (user)', 'pending c1'],
      carol: ['incoming c1 from alice', 'ring-timeout c1', 'cancelled c1', 'missed c1', 'pending c1', 'joined c1 [alice carol]'],
    }),
    membership('c1', 'alice:joined bob:left carol:joined'),
    pending({ alice: [], bob: ['c1'], carol: [] }),
  ),
});
