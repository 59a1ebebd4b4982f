/** Seed notes, test case "group calls - can everyone be heard?", at the signaling level. */
import { defineScenario } from '../scenario.ts';
import { all, activeIn, events, membership } from './checks.ts';

export default defineScenario({
  name: 'group-everyone-joined',
  title: 'group call, everyone can be heard (signaling level): every peer ends up joined, unmuted, and sees every other as joined',
  requirements: ['R1', 'R2', 'R12'],
  peers: ['alice', 'bob', 'carol', 'dave'],
  networks: ['perfect', 'wifi-lossy', 'cellular'],
  steps: [
    [0, 'alice', { type: 'dial', peers: ['bob', 'carol', 'dave'] }],
    [8000, 'bob', { type: 'join', call: 'c1' }],
    [16_000, 'carol', { type: 'join', call: 'c1' }],
    [24_000, 'dave', { type: 'join', call: 'c1' }],
  ],
  durationMs: 30_000,
  expect: all(
    events({
      alice: ['joined c1 [alice]', '+bob', '+carol', '+dave'],
      bob: ['incoming c1 from alice', 'joined c1 [alice bob]', '+carol', '+dave'],
      carol: ['incoming c1 from alice', 'joined c1 [alice bob carol]', '+dave'],
      dave: ['incoming c1 from alice', 'joined c1 [alice bob carol dave]'],
    }),
    membership('c1', 'alice:joined bob:joined carol:joined dave:joined'),
    activeIn('c1', ['alice', 'bob', 'carol', 'dave']),
  ),
});
