/**
 * Seed notes, media: "if a burst of audio packets have been received, how many should be discarded".
 * bob's Wi-Fi stalls for a second, then delivers everything at once: alice is warned of the stall as it
 * begins, drops the burst's excess so latency comes back down, and hears bob again.
 */
import { defineScenario } from '../scenario.ts';
import { all, warned } from './checks.ts';

const STALL = 10_000;

export default defineScenario({
  name: 'wifi-stall-burst',
  title: "bob's Wi-Fi stalls for 1 s, then releases it all at once: alice is warned at once, discards the excess, hears bob again",
  requirements: ['media'],
  peers: ['alice', 'bob'],
  networks: ['perfect', 'wifi'],
  steps: [
    [0, 'alice', { type: 'dial', peers: ['bob'] }],
    [1000, 'bob', { type: 'join', call: 'c1' }],
    [STALL, 'bob', { type: 'hold', to: 'alice', channel: 'media' }],
    [STALL + 1000, 'bob', { type: 'release', to: 'alice', channel: 'media' }],
  ],
  durationMs: 20_000,
  expect: all(warned('alice', 'bob', 'stall', STALL, STALL + 200), (s) => {
    const fromBob = s.media('alice').find((m) => m.peer === 'bob');
    const discarded = (fromBob?.stats as { packetsDiscarded?: number } | undefined)?.packetsDiscarded ?? 0;
    return discarded > 0 ? [] : [`alice should have discarded part of the burst from bob, discarded ${discarded}`];
  }),
});
