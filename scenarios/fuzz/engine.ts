/**
 * The fuzz engine: runs property cases, one seed each, and shrinks the first failure.
 *
 * Theory of operation: case number g of a sweep with base seed B gets its own seed mix(B, g), and a case
 * is one fast-check run (`numRuns: 1`) of the property with that seed. So every case is reproducible
 * alone (`--seed <case seed> --runs 1`), a sweep splits deterministically into shards (`--shard I/N`
 * takes g ≡ I mod N) and across worker threads, and a failure is shrunk by fast-check itself, every part
 * of the case being generated data. A property holds when the scenario run breaks no invariant.
 */
import fc from 'fast-check';
import { runScenario, type RunReport } from '../runner.ts';
import type { ProtocolChoice } from '../protocols.ts';
import { caseScenario, caseSize, type FuzzCase } from './cases.ts';
import type { FuzzProperty } from './properties.ts';

/** The outcome of one case. */
export interface CaseResult {
  readonly property: string;
  /** The case's own seed (replay it with `--property P --seed S --runs 1`). */
  readonly caseSeed: number;
  readonly ok: boolean;
  /** For a failure: the shrunk case, its size (commands + faults) and the report of its run. */
  readonly failure?: {
    readonly original: FuzzCase;
    readonly shrunk: FuzzCase;
    readonly size: number;
    readonly originalSize: number;
    readonly shrinks: number;
    readonly report: RunReport;
  };
}

/** The seed of case number `g` of a sweep with base seed `base`. */
export function caseSeed(base: number, g: number): number {
  let h = (Math.imul(base ^ 0x9e3779b9, 0x85ebca6b) + Math.imul(g + 1, 0xc2b2ae35)) | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Run the case that `seed` draws for `property`; shrink it when it fails. */
export function checkCase(property: FuzzProperty, seed: number, protocol: ProtocolChoice): CaseResult {
  const holds = (c: FuzzCase) => {
    const scenario = caseScenario(c);
    return runScenario(scenario, { network: scenario.networks![0]!, seed: c.seed, protocol, hash: false, audio: false }).ok;
  };
  let original: FuzzCase | undefined;
  const details = fc.check(
    fc.property(property.arbitrary, (c) => {
      original ??= c;
      return holds(c);
    }),
    { seed, numRuns: 1 },
  );
  if (!details.failed) return { property: property.name, caseSeed: seed, ok: true };
  const shrunk = details.counterexample![0];
  const scenario = caseScenario(shrunk);
  const report = runScenario(scenario, { network: scenario.networks![0]!, seed: shrunk.seed, protocol });
  return {
    property: property.name,
    caseSeed: seed,
    ok: false,
    failure: { original: original!, shrunk, size: caseSize(shrunk), originalSize: caseSize(original!), shrinks: details.numShrinks, report },
  };
}
