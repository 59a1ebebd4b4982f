/** Seed notes, "show a missed call?" with "if someone turns on uplink, they will be invited": an invitee offline for the whole call. */
import { defineScenario } from '../scenario.ts';
import { all, events, membership, pending } from './checks.ts';

export default defineScenario({
  name: 'missed-call-while-offline',
  title: 'carol is offline for a whole group call; when her app starts she learns of it as a missed call, never as an incoming one',
  requirements: ['R3', 'R9'],
  peers: ['alice', 'bob', 'carol'],
  offline: ['carol'],
  networks: ['perfect', 'wifi-lossy'],
  steps: [
    [0, 'alice', { type: 'dial', peers: ['bob', 'carol'] }],
    [8000, 'bob', { type: 'join', call: 'c1' }],
    [16_000, 'alice', { type: 'leave' }],
    [24_000, 'bob', { type: 'leave' }],
    [32_000, 'carol', { type: 'restart' }],
  ],
  durationMs: 36_000,
  expect: all(
    events({
      alice: ['joined c1 [alice]', '+bob', 'left c1 (user)', 'pending c1', 'cancelled c1'],
      bob: ['incoming c1 from alice', 'joined c1 [alice bob]', '-alice (left)', 'left c1 (user)'],
      carol: ['missed c1'],
    }),
    membership('c1', 'alice:left bob:left carol:invited'),
    pending({ alice: [], bob: [], carol: [] }),
  ),
});
