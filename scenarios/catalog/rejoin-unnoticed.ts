/**
 * Seed notes, "people can leave and re-join the call as needed" and "send a time sync message": alice,
 * muted, leaves and rejoins while cut off from bob, who never sees her go. Her media channel to him is
 * new, his to her is the one he had: his time sync must answer her exchanges, numbered from 1 again.
 */
import { defineScenario } from '../scenario.ts';
import { all, events, membership } from './checks.ts';

export default defineScenario({
  name: 'rejoin-unnoticed',
  title: 'alice, muted, leaves and rejoins while cut off from bob; he never sees her go, and both know the round trip again',
  requirements: ['R4', 'media'],
  peers: ['alice', 'bob', 'carol'],
  networks: ['perfect', 'wifi'],
  steps: [
    [0, 'alice', { type: 'dial', peers: ['bob', 'carol'] }],
    [500, 'bob', { type: 'join', call: 'c1' }],
    [600, 'carol', { type: 'join', call: 'c1' }],
    [1000, 'alice', { type: 'mute', muted: true }],
    [30_000, 'alice', { type: 'partition', from: ['bob'] }],
    [30_500, 'alice', { type: 'leave' }],
    [31_000, 'alice', { type: 'join', call: 'c1' }],
    [33_000, 'alice', { type: 'heal' }],
  ],
  durationMs: 40_000,
  expect: all(
    events({
      alice: ['joined c1 [alice]', '+bob', '+carol', 'left c1 (user)', 'pending c1', 'joined c1 [alice+m bob carol]'],
      bob: ['incoming c1 from alice', 'joined c1 [alice bob]', '+carol', 'alice muted'],
      carol: ['incoming c1 from alice', 'joined c1 [alice bob carol]', 'alice muted', '-alice (left)', '+alice+m'],
    }),
    membership('c1', 'alice:joined+m bob:joined carol:joined'),
  ),
});
