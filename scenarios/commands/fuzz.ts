/**
 * `npm run fuzz` (also `npm run sim -- fuzz`): property-based fuzzing of a call protocol.
 *
 * Runs every property (or those named) on fresh cases until the case budget (`--runs`, per property) or
 * the time budget (`--time`) is spent, in worker threads (`--jobs`), on a deterministic share of the
 * seed space (`--shard I/N`). The first failure is shrunk, printed step by step, saved as a scenario
 * file under reports/fuzz/, given a one-line replay token, and, for the reference protocol, recorded in
 * the regression corpus (scenarios/fuzz/corpus.json) that `npm test` replays. Exit 0 when every case
 * held, 1 on a failure, 2 on a usage error.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { describeCase } from '../fuzz/cases.ts';
import { recordInCorpus } from '../fuzz/corpus.ts';
import type { CaseResult } from '../fuzz/engine.ts';
import { findProperty, PROPERTIES } from '../fuzz/properties.ts';
import { sweep, type SweepPlan, type SweepResult } from '../fuzz/sweep.ts';
import { loadProtocol } from '../protocols.ts';
import { encodeToken, saveCaseFile } from '../replay.ts';
import { integerFlag, palette, parseFlags, positiveFlag, print, progress, table, UsageError } from './common.ts';

/** Help of the fuzz command. */
export const FUZZ_HELP = `usage: npm run fuzz -- [options]

  --runs N          cases per property (default 200 unless --time is given)
  --time S          keep going for S seconds instead
  --seed S          base seed (default: fresh, printed); case g uses a seed derived from S and g
  --jobs N          worker threads (default 1; at most ${availableParallelism()} here)
  --shard I/N       run only cases g with g mod N = I (split a sweep across machines; I from 0)
  --property NAME   only this property (repeatable): ${PROPERTIES.map((p) => p.name).join(', ')}
  --case S          rerun exactly the case with seed S (needs one --property)
  --protocol P      callsim (default) or a module path exporting a protocol
  --no-record       do not add a failure of the reference protocol to the regression corpus
  --json            one JSON document: { ok, seed, cases, casesPerSecond, failure? }`;

const FLAGS = {
  runs: { type: 'string' },
  time: { type: 'string' },
  seed: { type: 'string' },
  jobs: { type: 'string' },
  shard: { type: 'string' },
  property: { type: 'string', multiple: true },
  case: { type: 'string' },
  protocol: { type: 'string' },
  'no-record': { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Run the fuzz command. */
export async function fuzzCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(argv, FLAGS);
  if (values.help) return print(FUZZ_HELP), 0;
  if (positionals.length > 0) throw new UsageError(`fuzz takes flags only, got "${positionals[0]}"`);
  const properties = values.property ?? PROPERTIES.map((p) => p.name);
  for (const name of properties) if (findProperty(name) === undefined) throw new UsageError(`--property: expected one of ${PROPERTIES.map((p) => p.name).join(', ')}, got "${name}"`);
  if (values.runs !== undefined && values.time !== undefined) throw new UsageError('give --runs or --time, not both');
  const protocolSpec = values.protocol ?? 'callsim';
  await loadProtocol(protocolSpec); // fail fast with exit 2 on a bad --protocol
  const seed = integerFlag('--seed', values.seed, (Date.now() ^ (process.pid << 16)) >>> 0) >>> 0;
  const shard = parseShard(values.shard);
  const jobs = Math.min(integerFlag('--jobs', values.jobs, 1), 64);
  if (jobs < 1) throw new UsageError(`--jobs: expected an integer >= 1, got "${values.jobs}"`);
  const only = values.case === undefined ? undefined : integerFlag('--case', values.case, 0) >>> 0;
  if (only !== undefined && properties.length !== 1) throw new UsageError('--case needs exactly one --property');
  const timeS = values.time === undefined ? undefined : positiveFlag('--time', values.time, 1);
  const base: Omit<SweepPlan, 'job'> = {
    properties,
    seed,
    runs: timeS === undefined ? integerFlag('--runs', values.runs, 200) : undefined,
    deadline: timeS === undefined ? undefined : Date.now() + timeS * 1000,
    shard,
    protocol: protocolSpec,
    ...(only === undefined ? {} : { only }),
  };
  const started = performance.now();
  const bar = progress();
  const show = (cases: Record<string, number>) => bar.update(`fuzzing (seed ${seed}): ${Object.entries(cases).map(([p, n]) => `${p} ${n}`).join(', ')}`);
  const result = jobs === 1 || only !== undefined ? await sweep({ ...base, job: { index: 0, count: 1 } }, show) : await inWorkers(base, jobs, show);
  bar.done();
  const seconds = (performance.now() - started) / 1000;
  const total = Object.values(result.cases).reduce((a, b) => a + b, 0);
  const failure = result.failure;
  let saved: { file: string; token: string; recorded: boolean } | undefined;
  if (failure?.failure !== undefined) saved = keep(failure, protocolSpec, seed, values['no-record'] !== true);
  if (values.json) {
    print(JSON.stringify({ ok: failure === undefined, seed, shard, cases: result.cases, casesPerSecond: total / seconds, ...(failure ? { failure: { ...failure, ...saved } } : {}) }, null, 2));
    return failure === undefined ? 0 : 1;
  }
  const c = palette();
  const failedOn = failure?.property;
  print(table(['property', 'cases', 'verdict'], properties.map((p) => [p, String(result.cases[p] ?? 0), p === failedOn ? c.red('FAIL') : c.green('held')])));
  print(`\n${total} cases in ${seconds.toFixed(1)} s (${(total / seconds).toFixed(0)} cases/s, ${jobs} job${jobs > 1 ? 's' : ''}), base seed ${seed}${shard.count > 1 ? `, shard ${shard.index}/${shard.count}` : ''}`);
  if (failure?.failure === undefined || saved === undefined) return 0;
  const f = failure.failure;
  print(`\n${c.red('FAILURE')} in property ${failure.property}, case seed ${failure.caseSeed}; shrunk from ${f.originalSize} to ${f.size} commands + faults in ${f.shrinks} steps:\n`);
  print(describeCase(f.shrunk));
  print('');
  for (const v of f.report.violations) {
    print(`  ${c.bold(v.invariant)} (${v.requirement}) at ${v.node}, ${(v.atMs / 1000).toFixed(3)} s: ${v.message}`);
    for (const line of v.context) print(c.dim(`      ${line}`));
  }
  print(`\nsaved: ${saved.file}${saved.recorded ? ' (and recorded in scenarios/fuzz/corpus.json)' : ''}`);
  print(`replay: npm run sim -- run ${saved.file}${protocolSpec === 'callsim' ? '' : ` --protocol ${protocolSpec}`}`);
  print(`   or:  npm run sim -- replay ${saved.token}`);
  print(`   or:  npm run fuzz -- --property ${failure.property} --case ${failure.caseSeed}${protocolSpec === 'callsim' ? '' : ` --protocol ${protocolSpec}`}`);
  return 1;
}

function keep(result: CaseResult, protocol: string, seed: number, record: boolean): { file: string; token: string; recorded: boolean } {
  const f = result.failure!;
  const payload = { protocol, property: result.property, case: f.shrunk };
  const name = `${result.property}-${result.caseSeed}`;
  const file = saveCaseFile(name, payload, `Shrunk by npm run fuzz (base seed ${seed}): property ${result.property}, case seed ${result.caseSeed}, protocol ${protocol}.`);
  const recorded = record && protocol === 'callsim' && recordInCorpus({ property: result.property, caseSeed: result.caseSeed, invariants: [...new Set(f.report.violations.map((v) => v.invariant))], case: f.shrunk });
  return { file, token: encodeToken(payload), recorded };
}

async function inWorkers(base: Omit<SweepPlan, 'job'>, jobs: number, show: (cases: Record<string, number>) => void): Promise<SweepResult> {
  const totals = base.properties.map(() => new Map<number, number>());
  const sum = () => Object.fromEntries(base.properties.map((p, i) => [p, [...totals[i]!.values()].reduce((a, b) => a + b, 0)]));
  const workers: Worker[] = [];
  let failure: SweepResult['failure'];
  await Promise.all(
    Array.from({ length: jobs }, (_, index) =>
      new Promise<void>((resolve, reject) => {
        // worker-boot.mjs registers tsx's loader in the new thread before loading worker.ts
        const worker = new Worker(new URL('../fuzz/worker-boot.mjs', import.meta.url), { workerData: { ...base, job: { index, count: jobs } } });
        workers.push(worker);
        worker.on('message', (m: { type: 'progress'; cases: Record<string, number> } | { type: 'done'; result: SweepResult }) => {
          const cases = m.type === 'progress' ? m.cases : m.result.cases;
          base.properties.forEach((p, i) => totals[i]!.set(index, cases[p] ?? 0));
          show(sum());
          if (m.type === 'done') {
            if (m.result.failure !== undefined && failure === undefined) {
              failure = m.result.failure;
              for (const w of workers) if (w !== worker) void w.terminate();
            }
            void worker.terminate();
            resolve();
          }
        });
        worker.on('error', reject);
        worker.on('exit', () => resolve());
      }),
    ),
  );
  return { cases: sum(), failure };
}

function parseShard(text: string | undefined): { index: number; count: number } {
  if (text === undefined) return { index: 0, count: 1 };
  const m = /^(\d+)\/(\d+)$/.exec(text);
  if (m === null || Number(m[2]) < 1 || Number(m[1]) >= Number(m[2])) throw new UsageError(`--shard: expected I/N with 0 <= I < N, got "${text}"`);
  return { index: Number(m[1]), count: Number(m[2]) };
}
