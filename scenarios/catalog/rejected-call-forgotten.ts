/** Seed notes, requirement "if someone rejects the call, they won't be invited to join the call in the future", after the rejecter has forgotten the call. */
import { defineScenario } from '../scenario.ts';
import { all, events, membership } from './checks.ts';

export default defineScenario({
  name: 'rejected-call-forgotten',
  title: 'a rejected call is forgotten after the prune time (a tombstone stays, across a restart) and the call never comes back',
  requirements: ['R8', 'R14'],
  peers: ['alice', 'bob', 'carol'],
  networks: ['perfect', 'cellular'],
  config: { pruneAfterMs: 5000 },
  steps: [
    [0, 'alice', { type: 'dial', peers: ['bob', 'carol'] }],
    [3000, 'carol', { type: 'reject', call: 'c1' }],
    [6000, 'bob', { type: 'join', call: 'c1' }],
    [16_000, 'carol', { type: 'crash' }],
    [18_000, 'carol', { type: 'restart' }],
    [22_000, 'alice', { type: 'leave' }],
    [30_000, 'alice', { type: 'join', call: 'c1' }],
    [38_000, 'alice', { type: 'crash' }],
    [40_000, 'alice', { type: 'restart' }],
    [48_000, 'alice', { type: 'join', call: 'c1' }],
  ],
  durationMs: 52_000,
  expect: all(
    events({
      alice: ['joined c1 [alice]', '+bob', 'left c1 (user)', 'pending c1', 'joined c1 [alice bob]', 'left c1 (restart)', 'pending c1', 'joined c1 [alice bob]'],
      bob: ['incoming c1 from alice', 'joined c1 [alice bob]', '-alice (left)', '+alice', '-alice (left)', '+alice'],
      carol: ['incoming c1 from alice'],
    }),
    membership('c1', 'alice:joined bob:joined carol:rejected', ['alice', 'bob']),
    (s) => {
      const stats = s.world.host('carol').query({ type: 'stats' });
      const { calls, tombstones } = (stats?.ok ? stats.value : {}) as { calls?: number; tombstones?: number };
      return calls === 0 && tombstones === 1 ? [] : [`carol should have forgotten c1 (0 calls, 1 tombstone) but keeps ${calls} calls and ${tombstones} tombstones`];
    },
  ),
});
