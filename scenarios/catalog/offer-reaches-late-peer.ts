/** Seed notes, "if someone turns on uplink, they will be invited to the call -> someone sends the offer signal periodically until everyone receives it." */
import { defineScenario } from '../scenario.ts';
import { all, events, membership } from './checks.ts';

export default defineScenario({
  name: 'offer-reaches-late-peer',
  title: 'bob is offline when alice dials a group call; the offer is resent until his app comes online, and then he can join',
  requirements: ['R1', 'R3'],
  peers: ['alice', 'bob', 'carol'],
  offline: ['bob'],
  networks: ['perfect', 'edge', 'satellite'],
  steps: [
    [0, 'alice', { type: 'dial', peers: ['bob', 'carol'] }],
    [5000, 'carol', { type: 'join', call: 'c1' }],
    [20_000, 'bob', { type: 'restart' }],
    [50_000, 'bob', { type: 'join', call: 'c1' }],
  ],
  durationMs: 55_000,
  expect: all(
    events({
      alice: ['joined c1 [alice]', '+carol', '+bob'],
      bob: ['incoming c1 from alice', 'joined c1 [alice bob carol]'],
      carol: ['incoming c1 from alice', 'joined c1 [alice carol]', '+bob'],
    }),
    membership('c1', 'alice:joined bob:joined carol:joined'),
  ),
});
