/** Seed notes, "what if two tasks simultaneously are trying to send the join and leave signals?": two peers, one joining as others leave. */
import { defineScenario } from '../scenario.ts';
import { all, events, eventsInAnyOrder, membership, pending } from './checks.ts';

export default defineScenario({
  name: 'join-races-leave',
  title: 'dave joins in the same millisecond as bob leaves (and carol leaves 1 ms later): every node ends with the same membership',
  requirements: ['R4'],
  peers: ['alice', 'bob', 'carol', 'dave'],
  networks: ['perfect', 'wifi-lossy', '3g'],
  steps: [
    [0, 'alice', { type: 'dial', peers: ['bob', 'carol', 'dave'] }],
    [8000, 'bob', { type: 'join', call: 'c1' }],
    [16_000, 'carol', { type: 'join', call: 'c1' }],
    [24_000, 'bob', { type: 'leave' }],
    [24_000, 'dave', { type: 'join', call: 'c1' }],
    [24_001, 'carol', { type: 'leave' }],
  ],
  durationMs: 30_000,
  // alice sees the racing changes in an order that depends on the network; carol and dave may or may not see some of them
  expect: all(
    events({ bob: ['incoming c1 from alice', 'joined c1 [alice bob]', '+carol', 'left c1 (user)', 'pending c1'] }),
    eventsInAnyOrder({ alice: ['joined c1 [alice]', '+bob', '+carol', '-bob (left)', '+dave', '-carol (left)'] }),
    membership('c1', 'alice:joined bob:left carol:left dave:joined'),
    pending({ alice: [], bob: ['c1'], carol: ['c1'], dave: [] }),
  ),
});
