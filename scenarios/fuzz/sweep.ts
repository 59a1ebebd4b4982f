/**
 * A sweep: the loop that runs fuzz cases, in one thread or in each worker.
 *
 * Case number g of a property uses seed `caseSeed(base, g)`. A shard I/N owns the cases g ≡ I (mod N);
 * within a shard, job j of J runs the shard's k-th case for k ≡ j (mod J). Properties take turns case by
 * case. The loop stops at the case budget, at the deadline, or at the first failure, which it returns
 * shrunk.
 */
import { loadProtocol } from '../protocols.ts';
import { caseSeed, checkCase, type CaseResult } from './engine.ts';
import { findProperty } from './properties.ts';

/** What one sweep (or one worker's share of it) runs. */
export interface SweepPlan {
  /** Property names. */
  readonly properties: readonly string[];
  /** Base seed. */
  readonly seed: number;
  /** Cases per property (over the whole shard), or undefined for a time budget. */
  readonly runs: number | undefined;
  /** Wall-clock deadline (ms since the epoch), or undefined for a case budget. */
  readonly deadline: number | undefined;
  /** This shard: index and count. */
  readonly shard: { readonly index: number; readonly count: number };
  /** This job within the shard: index and count. */
  readonly job: { readonly index: number; readonly count: number };
  /** The protocol's source (`callsim` or a module path). */
  readonly protocol: string;
  /** Run exactly this one case seed (replay), ignoring runs and deadline. */
  readonly only?: number;
}

/** How a sweep ended. */
export interface SweepResult {
  /** Cases run, per property. */
  readonly cases: Record<string, number>;
  /** The first failure, shrunk. */
  readonly failure: CaseResult | undefined;
}

/** Run a sweep; `onProgress` hears the running counts now and then. */
export async function sweep(plan: SweepPlan, onProgress: (cases: Record<string, number>) => void = () => {}): Promise<SweepResult> {
  const protocol = await loadProtocol(plan.protocol);
  const properties = plan.properties.map((name) => findProperty(name)!);
  const cases: Record<string, number> = Object.fromEntries(plan.properties.map((p) => [p, 0]));
  if (plan.only !== undefined) {
    const result = checkCase(properties[0]!, plan.only, protocol);
    cases[result.property] = 1;
    return { cases, failure: result.ok ? undefined : result };
  }
  let last = Date.now();
  for (let k = plan.job.index; ; k += plan.job.count) {
    if (plan.runs !== undefined && k >= plan.runs) break;
    if (plan.deadline !== undefined && Date.now() >= plan.deadline) break;
    const g = plan.shard.index + plan.shard.count * k;
    for (const property of properties) {
      const result = checkCase(property, caseSeed(plan.seed, g), protocol);
      cases[property.name]!++;
      if (!result.ok) return { cases, failure: result };
    }
    if (Date.now() - last > 200) {
      last = Date.now();
      onProgress(cases);
    }
  }
  return { cases, failure: undefined };
}
