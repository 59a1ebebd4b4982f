/**
 * The fuzzer in `npm test`: every property on 200 cases from a fixed base seed (stable in CI; fresh
 * seeds are `npm run fuzz`'s job), the regression corpus replayed case by case, and the fuzzing
 * machinery itself: case seeds, shards, shrinking and replay tokens.
 */
import fc from 'fast-check';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { caseScenario, describeCase, type FuzzCase } from '../scenarios/fuzz/cases.ts';
import { loadCorpus } from '../scenarios/fuzz/corpus.ts';
import { caseSeed, checkCase } from '../scenarios/fuzz/engine.ts';
import { PROPERTIES } from '../scenarios/fuzz/properties.ts';
import { sweep } from '../scenarios/fuzz/sweep.ts';
import { InvariantChecker, SIGNALING_RATE_LIMIT } from '../scenarios/invariants.ts';
import { CALLSIM } from '../scenarios/protocols.ts';
import { decodeToken, encodeToken } from '../scenarios/replay.ts';
import { runScenario } from '../scenarios/runner.ts';

const test = suite('fuzz: properties with fixed seeds, the regression corpus, the machinery');
const BASE_SEED = 20_261_124;
const RUNS = 200;

for (const property of PROPERTIES) {
  test(`property ${property.name} holds on ${RUNS} cases (base seed ${BASE_SEED}): ${property.description}`, () => {
    for (let g = 0; g < RUNS; g++) {
      const result = checkCase(property, caseSeed(BASE_SEED, g), CALLSIM);
      if (!result.ok) {
        const f = result.failure!;
        assert.unreachable(
          `case seed ${result.caseSeed} failed (replay: npm run fuzz -- --property ${property.name} --case ${result.caseSeed}):\n${describeCase(f.shrunk)}\n` +
            f.report.violations.map((v) => `${v.invariant} at ${v.node}: ${v.message}`).join('\n'),
        );
      }
    }
  });
}

test('every case of the regression corpus passes', () => {
  for (const entry of loadCorpus()) {
    const scenario = caseScenario(entry.case);
    const report = runScenario(scenario, { network: scenario.networks![0]!, seed: entry.case.seed, protocol: CALLSIM });
    assert.ok(report.ok, `corpus case ${entry.property}/${entry.caseSeed} (once broke ${entry.invariants.join(', ')}): ${report.violations.map((v) => v.message).join('; ')}`);
  }
});

test('signaling-bounded: a node sending one peer more than the limit within a second of simulated time is a storm, reported once, and the run is told to stop', () => {
  const checker = new InvariantChecker();
  const send = (t: number, node: string, to: string) => checker.record({ kind: 'send', t, node, to, channel: 'signaling', packet: 0, size: 10 });
  // the limit exactly, in each of two seconds, to each of two peers, and media beyond it: no storm
  for (const second of [0, 1]) for (let i = 0; i < SIGNALING_RATE_LIMIT; i++) for (const to of ['bob', 'cat']) send(second * 1000 + i / SIGNALING_RATE_LIMIT, 'ann', to);
  for (let i = 0; i < 2 * SIGNALING_RATE_LIMIT; i++) checker.record({ kind: 'send', t: 1500, node: 'ann', to: 'bob', channel: 'media', packet: 0, size: 10 });
  assert.equal([checker.violations.length, checker.runaway], [0, false]);
  // one more to bob within second 1: a storm
  send(1999, 'ann', 'bob');
  send(1999.5, 'ann', 'bob');
  assert.equal(checker.violations.map((v) => [v.invariant, v.node, v.atMs]), [['signaling-bounded', 'ann', 1999]]);
  assert.is(checker.runaway, true);
});

test('case seeds are distinct and shards split the seed space without overlap', async () => {
  const seeds = new Set(Array.from({ length: 10_000 }, (_, g) => caseSeed(7, g)));
  assert.is(seeds.size, 10_000);
  const plan = (index: number, count: number) => ({ properties: ['any'], seed: 7, runs: 6, deadline: undefined, shard: { index, count }, job: { index: 0, count: 1 }, protocol: 'callsim' });
  const all = await sweep(plan(0, 1));
  const shards = await Promise.all([0, 1, 2].map((i) => sweep(plan(i, 3))));
  assert.equal(all.cases, { any: 6 });
  assert.equal(shards.map((s) => s.cases['any']), [6, 6, 6]);
});

test('the same case seed draws the same case and the same verdict', () => {
  const draw = (seed: number) => JSON.stringify(fc.sample(PROPERTIES[0]!.arbitrary, { seed, numRuns: 1 })[0]);
  assert.is(draw(caseSeed(1, 5)), draw(caseSeed(1, 5)));
  assert.is.not(draw(caseSeed(1, 5)), draw(caseSeed(1, 6)));
  const verdict = (seed: number) => checkCase(PROPERTIES[0]!, seed, CALLSIM).ok;
  assert.is(verdict(caseSeed(1, 5)), verdict(caseSeed(1, 5)));
});

test('a replay token carries the case exactly; a damaged one is refused with a reason', () => {
  const c: FuzzCase = fc.sample(PROPERTIES[0]!.arbitrary, { seed: 3, numRuns: 1 })[0]!;
  const payload = { protocol: 'callsim', property: 'any', case: c };
  const token = encodeToken(payload);
  assert.match(token, /^cs1\.[A-Za-z0-9_-]+$/);
  assert.is(JSON.stringify(decodeToken(token)), JSON.stringify(payload));
  assert.throws(() => decodeToken('cs1.AAAA'), /the replay token is damaged/);
  assert.throws(() => decodeToken('hello'), /a replay token starts with cs1\./);
});

test.run();
