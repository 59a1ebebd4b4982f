/** Seed notes, requirement "if someone rejects the call, they won't be invited to join the call in the future." */
import { defineScenario } from '../scenario.ts';
import { all, events, membership, pending, refused } from './checks.ts';

export default defineScenario({
  name: 'reject-never-reinvited',
  title: 'carol rejects a group call and is never invited again: not when the caller leaves and rejoins, nor after either side restarts',
  requirements: ['R2', 'R8'],
  peers: ['alice', 'bob', 'carol'],
  networks: ['perfect', 'wifi-lossy'],
  steps: [
    [0, 'alice', { type: 'dial', peers: ['bob', 'carol'] }],
    [4000, 'carol', { type: 'reject', call: 'c1' }],
    [8000, 'bob', { type: 'join', call: 'c1' }],
    [14_000, 'alice', { type: 'leave' }],
    [20_000, 'alice', { type: 'join', call: 'c1' }],
    [26_000, 'carol', { type: 'crash' }],
    [28_000, 'carol', { type: 'restart' }],
    [30_000, 'alice', { type: 'crash' }],
    [32_000, 'alice', { type: 'restart' }],
    [40_000, 'bob', { type: 'leave' }],
    [48_000, 'alice', { type: 'join', call: 'c1' }],
    [52_000, 'carol', { type: 'join', call: 'c1' }],
  ],
  durationMs: 56_000,
  expect: all(
    events({
      alice: ['joined c1 [alice]', '+bob', 'left c1 (user)', 'pending c1', 'joined c1 [alice bob]', 'left c1 (restart)', 'pending c1', 'cancelled c1', 'joined c1 [alice]'],
      bob: ['incoming c1 from alice', 'joined c1 [alice bob]', '-alice (left)', '+alice', '-alice (left)', 'left c1 (user)', 'pending c1'],
      carol: ['incoming c1 from alice'],
    }),
    membership('c1', 'alice:joined bob:left carol:rejected', ['alice', 'bob']),
    pending({ carol: [] }),
    refused(52_000, 'carol', 'call-rejected'),
  ),
});
