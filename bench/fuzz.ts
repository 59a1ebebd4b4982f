/**
 * `fuzz`: fuzz throughput, in property cases per second on one core, for the shape the issue names:
 * 4 peers, 20 user commands, up to 3 fault episodes, a drawn network, 30 simulated seconds of script
 * (plus the runner's 20 s quiet phase and liveness check). Each case is a whole fast-check run with its
 * own seed: generation, the simulated run, every invariant, exactly as `npm run fuzz` does it.
 */
import fc from 'fast-check';
import { commandArb, faultArb, networkArb } from '../scenarios/fuzz/arbitraries.ts';
import { caseScenario, type FuzzCase } from '../scenarios/fuzz/cases.ts';
import { caseSeed } from '../scenarios/fuzz/engine.ts';
import { CALLSIM } from '../scenarios/protocols.ts';
import { runScenario } from '../scenarios/runner.ts';
import type { BenchCase, RunCounts, Workload } from './harness.ts';

const SHAPE: fc.Arbitrary<FuzzCase> = fc.record({
  peers: fc.constant(4),
  seed: fc.nat(),
  network: networkArb,
  commands: fc.array(commandArb(), { minLength: 20, maxLength: 20 }),
  faults: fc.array(faultArb, { maxLength: 3 }),
});

/** Run `cases` property cases of the fixed shape; every one must hold. */
export function runFuzzCases(cases: number): RunCounts {
  let simulatedMs = 0;
  for (let g = 0; g < cases; g++) {
    const details = fc.check(
      fc.property(SHAPE, (c) => {
        const scenario = caseScenario(c);
        const report = runScenario(scenario, { network: scenario.networks![0]!, seed: c.seed, protocol: CALLSIM, hash: false });
        simulatedMs += report.stats.simulatedMs;
        return report.ok;
      }),
      { seed: caseSeed(42, g), numRuns: 1 },
    );
    if (details.failed) throw new Error(`bench case ${g} failed: the reference protocol broke an invariant (npm run fuzz will find it)`);
  }
  return { events: cases, simulatedMs };
}

const fuzzCase: BenchCase = { name: 'fuzz', unit: 'cases', initialSize: 20, run: runFuzzCases };

/** The `fuzz` workload (not in the default set: run it with `npm run bench -- fuzz`). */
export const fuzzThroughput: Workload = {
  name: 'fuzz',
  summary: 'property cases/s: 4 peers, 20 commands, ≤3 faults, 30 s script + 20 s quiet, one core',
  byDefault: false,
  cases: [fuzzCase],
};
