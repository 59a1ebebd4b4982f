/** Seed notes, test case "two incoming calls at once": both ring and are pending; one is answered, the other rejected. */
import type { CallView } from '../../protocol/api.ts';
import { defineScenario } from '../scenario.ts';
import { all, events, membership, pending } from './checks.ts';

const LIST_AT = 8000;

export default defineScenario({
  name: 'two-incoming-calls',
  title: 'two incoming calls at once: both ring and are pending; carol answers one and rejects the other',
  requirements: ['R2', 'R11', 'R12'],
  peers: ['alice', 'bob', 'carol'],
  networks: ['perfect', 'wifi-lossy', 'edge'],
  steps: [
    [0, 'alice', { type: 'dial', peers: ['carol'] }],
    [3000, 'bob', { type: 'dial', peers: ['carol'] }],
    [LIST_AT, 'carol', { type: 'list' }],
    [12_000, 'carol', { type: 'join', call: 'c1' }],
    [16_000, 'carol', { type: 'reject', call: 'c2' }],
  ],
  durationMs: 20_000,
  expect: all(
    (s) => {
      const listed = s.outcomes.find((o) => o.at === LIST_AT)?.outcome;
      const calls = listed?.ok ? (listed.value as CallView[]) : [];
      const got = calls.map((c) => `${s.label(c.callId)}${c.pending ? ' pending' : ''}${c.ringing ? ' ringing' : ''}`).join(', ');
      return got === 'c1 pending ringing, c2 pending ringing' ? [] : [`carol's list at ${LIST_AT} ms should show c1 and c2 pending and ringing but shows [${got}]`];
    },
    events({
      alice: ['joined c1 [alice]', '+carol'],
      bob: ['joined c2 [bob]', 'left c2 (direct-ended)'],
      carol: ['incoming c1 from alice', 'incoming c2 from bob', 'joined c1 [alice carol]'],
    }),
    membership('c1', 'alice:joined carol:joined', ['alice', 'carol']),
    membership('c2', 'bob:left carol:rejected', ['bob']),
    // a rejecter is told nothing more about the call: its picture stops at its rejection
    membership('c2', 'bob:joined carol:rejected', ['carol']),
    pending({ alice: [], bob: [], carol: [] }),
  ),
});
