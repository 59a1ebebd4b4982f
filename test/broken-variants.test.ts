/**
 * The fuzzer's power, measured: it must find every deliberately broken variant of the reference protocol
 * (test/broken/variants.ts) within a fixed budget, and pin each on an invariant guarding the broken
 * requirement, while the reference protocol passes the same cases.
 *
 * The sweep is fixed so CI is stable, and is the one `npm run fuzz` makes in one thread: for g = 0, 1, 2, …
 * each property of PROPERTIES takes its turn (any, concurrent-incoming, group-leave-rejoin,
 * join-leave-race) on the case that seed `caseSeed(BASE, g)` draws (`checkCase`). A variant is hunted case
 * by case until its first failure, at most BUDGET cases in all; the failure is shrunk by fast-check. The
 * reference must pass the first SANITY cases of each property (g < SANITY: the first 4 × SANITY cases of
 * every hunt), and both the original and the shrunk case of every variant's failure.
 *
 * Variants the fuzzer does not catch (`UNCAUGHT_VARIANTS`) are known gaps: their tests assert they stay
 * uncaught for the whole budget, so the day an invariant or generator catches one, the test fails and
 * says to move it to `BROKEN_VARIANTS`. Set BROKEN_VERBOSE=1 for a summary table of every variant and
 * each shrunk case.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { caseSeed, checkCase, type CaseResult } from '../scenarios/fuzz/engine.ts';
import { caseScenario, describeCase, type FuzzCase } from '../scenarios/fuzz/cases.ts';
import { PROPERTIES, type FuzzProperty } from '../scenarios/fuzz/properties.ts';
import type { InvariantName } from '../scenarios/invariants.ts';
import { CALLSIM, type ProtocolChoice } from '../scenarios/protocols.ts';
import { runScenario } from '../scenarios/runner.ts';
import { BROKEN_VARIANTS, UNCAUGHT_VARIANTS } from './broken/variants.ts';

const test = suite('broken variants: the fuzzer finds them');

/** Base seed of the sweep (fixed: CI must see the same cases every run). */
const BASE = 1;
/** Most cases run against one variant. */
const BUDGET = 2000;
/** Cases of each property the reference must pass. */
const SANITY = 200;

/**
 * Variants whose requirement no invariant guards directly: the invariant that catches them instead.
 * Every other variant must violate an invariant whose requirement (`R4/R10` counts as R4 and R10) is
 * among those it breaks.
 */
const INDIRECT: Readonly<Record<string, { readonly invariant: InvariantName; readonly why: string }>> = {
  'leave-sent-once': {
    invariant: 'agreement',
    why: "the R3 invariant (offer-reaches-invitees) only checks that invitees know a call; a leave that is never retried shows as peers still seeing the leaver joined after the heal",
  },
};

/** The sweep's first `count` cases, in order: for each g, every property in turn. */
function* sweep(count: number): Generator<{ readonly property: FuzzProperty; readonly seed: number }> {
  for (let n = 0; n < count; n++) yield { property: PROPERTIES[n % PROPERTIES.length]!, seed: caseSeed(BASE, Math.floor(n / PROPERTIES.length)) };
}

/** The first failing case of the sweep within the budget (shrunk), with the number of cases it took. */
function hunt(protocol: ProtocolChoice): { readonly cases: number; readonly result: CaseResult } | undefined {
  let cases = 0;
  for (const { property, seed } of sweep(BUDGET)) {
    cases++;
    const result = checkCase(property, seed, protocol);
    if (!result.ok) return { cases, result };
  }
  return undefined;
}

/** The violations of a run of `c` against the reference protocol. */
function referenceViolations(c: FuzzCase): string[] {
  const scenario = caseScenario(c);
  const report = runScenario(scenario, { network: scenario.networks![0]!, seed: c.seed, protocol: CALLSIM, hash: false });
  return report.violations.map((v) => `${v.invariant}: ${v.message}`);
}

/** One line of the summary table. */
interface Row {
  readonly variant: string;
  readonly breaks: string;
  readonly cases: string;
  readonly property: string;
  readonly size: string;
  readonly invariants: string;
  readonly ms: number;
  /** The shrunk case, for people (caught variants). */
  readonly shrunk?: string;
}
const rows: Row[] = [];

test(`the reference protocol passes the first ${SANITY} cases of each property`, () => {
  for (const { property, seed } of sweep(SANITY * PROPERTIES.length)) {
    const result = checkCase(property, seed, CALLSIM);
    assert.ok(result.ok, `${property.name}, case seed ${seed}: ${result.failure?.report.violations.map((v) => v.message).join('; ')}`);
  }
});

for (const v of BROKEN_VARIANTS) {
  test(`${v.name} (breaks ${v.breaks}: ${v.bug}) is found`, () => {
    const started = performance.now();
    const found = hunt(v.protocol);
    if (found === undefined) {
      rows.push({ variant: v.name, breaks: v.breaks, cases: `> ${BUDGET}`, property: '-', size: '-', invariants: 'NOT FOUND', ms: performance.now() - started });
      return assert.unreachable(`${v.name} not found in ${BUDGET} cases`);
    }
    const failure = found.result.failure!;
    const violations = failure.report.violations;
    const violated = [...new Set(violations.map((x) => `${x.invariant} (${x.requirement})`))];
    rows.push({
      variant: v.name,
      breaks: v.breaks,
      cases: String(found.cases),
      property: found.result.property,
      size: `${failure.originalSize} → ${failure.size}`,
      invariants: violated.join(', '),
      ms: performance.now() - started,
      shrunk: describeCase(failure.shrunk),
    });
    const indirect = INDIRECT[v.name];
    if (indirect === undefined) {
      const broken = v.breaks.split('/');
      const guarding = violations.some((x) => x.requirement.split('/').some((r) => broken.includes(r)));
      assert.ok(guarding, `${v.name} was caught, but by no invariant guarding ${v.breaks}: ${violated.join(', ')}`);
    } else {
      assert.ok(violations.some((x) => x.invariant === indirect.invariant), `${v.name} should be caught by ${indirect.invariant} (${indirect.why}); got ${violated.join(', ')}`);
    }
    assert.equal(referenceViolations(failure.original), [], 'the reference passes the original case');
    assert.equal(referenceViolations(failure.shrunk), [], 'the reference passes the shrunk case');
  });
}

// Known gaps (see each variant's `gap`): they must stay uncaught for the whole budget. When this fails, a
// new invariant or generator catches the variant: move it to BROKEN_VARIANTS.
for (const v of UNCAUGHT_VARIANTS) {
  test(`known gap: ${v.name} (breaks ${v.breaks}: ${v.bug}) is not found`, () => {
    const started = performance.now();
    const found = hunt(v.protocol);
    const caught = found?.result.failure?.report.violations.map((x) => x.invariant).join(', ');
    rows.push({ variant: v.name, breaks: v.breaks, cases: found ? String(found.cases) : `> ${BUDGET}`, property: found?.result.property ?? '-', size: '-', invariants: caught ?? `none (gap: ${v.gap.split('.')[0]})`, ms: performance.now() - started });
    assert.is(found, undefined, `${v.name} is now caught after ${found?.cases} cases (${caught}): move it to BROKEN_VARIANTS`);
  });
}

test.after(() => {
  if (process.env['BROKEN_VERBOSE'] !== '1') return;
  const header: Row = { variant: 'variant', breaks: 'req', cases: 'cases', property: 'property', size: 'size', invariants: 'invariants violated (shrunk case)', ms: 0 };
  const columns = ['variant', 'breaks', 'cases', 'property', 'size'] as const;
  const width = Object.fromEntries(columns.map((c) => [c, Math.max(...[header, ...rows].map((r) => r[c].length))]));
  const line = (r: Row, ms: string) => [...columns.map((c) => r[c].padEnd(width[c]!)), ms.padStart(7), r.invariants].join('  ');
  console.log(`\nbroken variants (base seed ${BASE}; for each g, ${PROPERTIES.map((p) => p.name).join(', ')} in turn; budget ${BUDGET} cases)`);
  console.log(line(header, 'ms'));
  for (const r of rows) console.log(line(r, r.ms.toFixed(0)));
  for (const r of rows) if (r.shrunk !== undefined) console.log(`\n${r.variant}, shrunk case:\n${r.shrunk}`);
});

test.run();
