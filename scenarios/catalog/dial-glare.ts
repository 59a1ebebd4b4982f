/** Seed notes, "two incoming calls at once" in its sharpest form: two peers dial each other in the same millisecond (dial glare). */
import { defineScenario } from '../scenario.ts';
import { activeIn, all, events, membership } from './checks.ts';

export default defineScenario({
  name: 'dial-glare',
  title: 'alice and bob dial each other in the same millisecond: both end up in one call, the one with the smaller id',
  requirements: ['R1', 'R11'],
  peers: ['alice', 'bob'],
  networks: ['perfect', '3g', 'edge'],
  steps: [
    [0, 'alice', { type: 'dial', peers: ['bob'] }],
    [0, 'bob', { type: 'dial', peers: ['alice'] }],
  ],
  durationMs: 10_000,
  expect: (s) => {
    const [keep, drop, keeper, dropper] = s.id('c1') < s.id('c2') ? ['c1', 'c2', 'alice', 'bob'] : ['c2', 'c1', 'bob', 'alice'];
    return all(
      events({
        [keeper]: [`joined ${keep} [${keeper}]`, `+${dropper}`],
        [dropper]: [`joined ${drop} [${dropper}]`, `left ${drop} (merged)`, `joined ${keep} [${keeper} ${dropper}]`],
      }),
      membership(keep, keep === 'c1' ? 'alice:joined bob:joined' : 'bob:joined alice:joined'),
      activeIn(keep, ['alice', 'bob']),
    )(s);
  },
});
