/** Seed notes, "someone sends the ... signal periodically until everyone receives it -> maybe the same thing for the leave signal?": a partition that heals mid-call. */
import { defineScenario } from '../scenario.ts';
import { all, events, eventsInAnyOrder, membership, pending } from './checks.ts';

export default defineScenario({
  name: 'partition-heals-mid-call',
  title: 'alice is cut off mid-call while carol leaves and bob and alice mute; after the heal every node agrees',
  requirements: ['R3', 'R4', 'R10'],
  peers: ['alice', 'bob', 'carol'],
  networks: ['perfect', 'wifi-lossy', 'cellular'],
  steps: [
    [0, 'alice', { type: 'dial', peers: ['bob', 'carol'] }],
    [4000, 'bob', { type: 'join', call: 'c1' }],
    [10_000, 'carol', { type: 'join', call: 'c1' }],
    [18_000, 'alice', { type: 'partition', from: ['bob', 'carol'] }],
    [20_000, 'carol', { type: 'leave' }],
    [24_000, 'bob', { type: 'mute', muted: true }],
    [26_000, 'alice', { type: 'mute', muted: true }],
    [40_000, 'alice', { type: 'heal' }],
  ],
  durationMs: 50_000,
  // alice learns of carol's leave and bob's mute after the heal, in an order that depends on the network
  expect: all(
    events({
      bob: ['incoming c1 from alice', 'joined c1 [alice bob]', '+carol', '-carol (left)', 'alice muted'],
      carol: ['incoming c1 from alice', 'joined c1 [alice bob carol]', 'left c1 (user)', 'pending c1'],
    }),
    eventsInAnyOrder({ alice: ['joined c1 [alice]', '+bob', '+carol', '-carol (left)', 'bob muted'] }),
    membership('c1', 'alice:joined+m bob:joined+m carol:left'),
    pending({ alice: [], bob: [], carol: ['c1'] }),
  ),
});
