/** Seed notes, "if someone joins a call, need to see who is muted/unmuted and deafened/undeafened." */
import { defineScenario } from '../scenario.ts';
import { all, events, membership } from './checks.ts';

export default defineScenario({
  name: 'joiner-sees-mute-deafen',
  title: 'a joiner sees at once who is muted and deafened (as each owner set it), and later changes reach everyone in the call',
  requirements: ['R10', 'R12', 'R13'],
  peers: ['alice', 'bob', 'carol'],
  networks: ['perfect', '4g', 'wifi-lossy'],
  steps: [
    [0, 'alice', { type: 'dial', peers: ['bob', 'carol'] }],
    [3000, 'alice', { type: 'mute', muted: true }],
    [6000, 'carol', { type: 'deafen', deafened: true }],
    [9000, 'carol', { type: 'join', call: 'c1' }],
    [17_000, 'bob', { type: 'join', call: 'c1' }],
    [25_000, 'alice', { type: 'mute', muted: false }],
    [33_000, 'bob', { type: 'mute', muted: true }],
  ],
  durationMs: 38_000,
  expect: all(
    events({
      alice: ['joined c1 [alice]', '+carol+d', '+bob', 'bob muted'],
      bob: ['incoming c1 from alice', 'joined c1 [alice+m bob carol+d]', 'alice unmuted'],
      carol: ['incoming c1 from alice', 'joined c1 [alice+m carol+d]', '+bob', 'alice unmuted', 'bob muted'],
    }),
    membership('c1', 'alice:joined bob:joined+m carol:joined+d'),
  ),
});
