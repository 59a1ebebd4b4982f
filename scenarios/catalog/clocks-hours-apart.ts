/**
 * Seed notes, media: "send a time sync message (3 packets total)" — the sync must put each sender's media
 * clock on its listener's. alice's clock runs 3 hours ahead and 150 ppm fast, bob's 45 minutes behind
 * and 200 ppm slow, and mid-call bob's clock steps 2 s back (an NTP correction; his timers, set on his
 * clock, stand still while it repeats those 2 s, so alice's and carol's audio piles up and he drops the
 * excess when they fire again). Everyone still hears everyone, and every stream's playout delay is the
 * path's plus buffering: no trace of the clocks (frames played before the first time sync included).
 */
import { defineScenario } from '../scenario.ts';
import { playoutDelayTrue } from './checks.ts';

export default defineScenario({
  name: 'clocks-hours-apart',
  title: 'three peers whose clocks are hours apart, drift, and step mid-call: every stream is played its path and buffer after capture',
  requirements: ['media'],
  peers: ['alice', 'bob', 'carol'],
  networks: ['cellular', 'wifi'],
  clocks: { alice: { offsetMs: 3 * 3_600_000, driftPpm: 150 }, bob: { offsetMs: -2_700_000, driftPpm: -200 } },
  steps: [
    [0, 'alice', { type: 'dial', peers: ['bob', 'carol'] }],
    [1000, 'bob', { type: 'join', call: 'c1' }],
    [1200, 'carol', { type: 'join', call: 'c1' }],
    [15_000, 'bob', { type: 'clock', offsetMs: -2_702_000 }],
  ],
  durationMs: 30_000,
  expect: playoutDelayTrue(5, 150),
});
