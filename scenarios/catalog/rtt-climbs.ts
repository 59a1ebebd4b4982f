/**
 * Seed notes, media: "use round trip time to determine when audio degradation is likely to occur (round
 * trip time increases)". The path from bob to alice slows by 40 ms every half second: alice's controller
 * warns that degradation is likely while the delay is still climbing.
 */
import type { Step } from '../session.ts';
import { defineScenario } from '../scenario.ts';
import { warned } from './checks.ts';

const CLIMB_FROM = 10_000;
const climb: Step[] = Array.from({ length: 12 }, (_, i) => [CLIMB_FROM + i * 500, 'bob', { type: 'set-link', to: 'alice', channel: 'media', settings: { delayMs: 20 + 40 * (i + 1) } }]);

export default defineScenario({
  name: 'rtt-climbs',
  title: 'the path from bob to alice slows by 40 ms every 500 ms: alice is warned that degradation is likely while it climbs',
  requirements: ['media'],
  peers: ['alice', 'bob'],
  networks: ['perfect', 'cellular'],
  links: [{ from: 'bob', to: 'alice', channel: 'media', settings: { delayMs: 20 } }],
  steps: [[0, 'alice', { type: 'dial', peers: ['bob'] }], [1000, 'bob', { type: 'join', call: 'c1' }], ...climb],
  durationMs: 20_000,
  expect: warned('alice', 'bob', 'delay-rising', CLIMB_FROM, CLIMB_FROM + 6000),
});
