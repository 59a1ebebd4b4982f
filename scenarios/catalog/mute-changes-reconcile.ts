/** Seed notes, "if a peer sends their information ... and also updates their info and broadcasts it, need a way to reconcile." */
import { defineScenario } from '../scenario.ts';
import { all, membership } from './checks.ts';

export default defineScenario({
  name: 'mute-changes-reconcile',
  title: 'bursts of mute and deafen changes by several peers in the same millisecond reconcile to each owner\'s latest state everywhere',
  requirements: ['R10', 'R13'],
  peers: ['alice', 'bob', 'carol'],
  networks: ['perfect', 'congested'],
  steps: [
    [0, 'alice', { type: 'dial', peers: ['bob', 'carol'] }],
    [5000, 'bob', { type: 'join', call: 'c1' }],
    [5000, 'carol', { type: 'join', call: 'c1' }],
    [10_000, 'alice', { type: 'mute', muted: true }],
    [10_000, 'bob', { type: 'deafen', deafened: true }],
    [10_000, 'alice', { type: 'mute', muted: false }],
    [10_000, 'carol', { type: 'mute', muted: true }],
    [10_000, 'alice', { type: 'mute', muted: true }],
    [10_000, 'bob', { type: 'deafen', deafened: false }],
    [10_010, 'carol', { type: 'deafen', deafened: true }],
    [10_020, 'carol', { type: 'mute', muted: false }],
  ],
  durationMs: 20_000,
  expect: all(membership('c1', 'alice:joined+m bob:joined carol:joined+d')),
});
