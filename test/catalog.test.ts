/**
 * The scenario catalog: every scenario passes on each of its networks with its own seed (no invariant
 * violated, every expectation met), lists at least two networks, and together they cover R1–R14.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { CATALOG } from '../scenarios/catalog/index.ts';
import { CALLSIM } from '../scenarios/protocols.ts';
import { runScenario } from '../scenarios/runner.ts';
import { networkLabel } from '../scenarios/scenario.ts';

const test = suite('scenario catalog');

for (const scenario of CATALOG) {
  for (const network of scenario.networks ?? []) {
    test(`${scenario.name} on ${networkLabel(network)}`, () => {
      const report = runScenario(scenario, { network, seed: scenario.seed ?? 1, protocol: CALLSIM });
      const violations = report.violations.map((v) => `  [${v.invariant} ${v.requirement}] ${v.node} at ${v.atMs} ms: ${v.message}`);
      assert.ok(report.ok, `${scenario.name} on ${report.network} (seed ${report.seed}):\n${violations.join('\n')}`);
    });
  }
}

test('the audio report only watches: with it and without it a run has the same trace hash and verdict (so a fuzz case, run without it, replays exactly)', () => {
  for (const name of ['wifi-stall-burst', 'leave-and-rejoin', 'joiner-sees-mute-deafen']) {
    const scenario = CATALOG.find((s) => s.name === name)!;
    for (const network of scenario.networks!) {
      const watched = runScenario(scenario, { network, seed: 1, protocol: CALLSIM });
      const alone = runScenario(scenario, { network, seed: 1, protocol: CALLSIM, audio: false });
      assert.ok(watched.audio !== undefined && alone.audio === undefined, name);
      assert.equal([watched.traceHash, watched.ok], [alone.traceHash, alone.ok], `${name} on ${networkLabel(network)}`);
    }
  }
});

test('every scenario runs on at least two networks', () => {
  assert.equal(CATALOG.filter((s) => (s.networks ?? []).length < 2).map((s) => s.name), []);
});

test('the catalog covers every requirement R1-R14, with unique names', () => {
  const covered = new Set(CATALOG.flatMap((s) => s.requirements));
  assert.equal(Array.from({ length: 14 }, (_, i) => `R${i + 1}`).filter((r) => !covered.has(r)), []);
  assert.is(new Set(CATALOG.map((s) => s.name)).size, CATALOG.length);
});

test.run();
