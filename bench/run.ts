/**
 * The entry point behind `npm run bench`: measures named workloads in one process and prints a table,
 * or one JSON document with `--json`.
 *
 *   npm run bench                      the default set (ceiling, simulator, fake-timers, call), their
 *                                      ratios and the 8-peer call's speed against its goal
 *   npm run bench -- simulator         one workload (several names: several workloads)
 *   npm run -s bench -- --json         machine-readable (-s keeps npm's banner out of stdout)
 *   npm run bench -- playout           the playout lab: quality tables per trace (a workload's report)
 *   npm run bench -- playout --seed 2  the same for trace seed 2 (`--seeds 1,2,3`: the seeds scored over)
 *   npm run bench -- playout --playout examples/playout-recent-max.ts   with your own controller added
 *
 * A new workload is one file exporting a `Workload` (bench/harness.ts) plus one line in `WORKLOADS`.
 * Ratios between rows are printed whenever both rows were measured. Usage errors exit with code 2.
 */
import { cpus, platform, arch } from 'node:os';
import { ceiling } from './ceiling.ts';
import { fakeTimers } from './fake-timers.ts';
import { measure, type Measurement, type MeasureOptions, type ReportOptions, type Workload } from './harness.ts';
import { groupCall, groupCallScaling } from './call.ts';
import { fuzzThroughput } from './fuzz.ts';
import { playout } from './playout.ts';
import { PlayoutContractError } from './playout-replay.ts';
import { loadPlayout } from '../scenarios/playouts.ts';
import { ConfigError } from '../sim/index.ts';
import type { PlayoutAlgorithm } from '../protocol/media/index.ts';
import { simulator } from './simulator.ts';

/** Every workload `npm run bench -- <name>` knows, in run order. */
export const WORKLOADS: readonly Workload[] = [ceiling, simulator, fakeTimers, fuzzThroughput, playout, groupCall, groupCallScaling];

/** A comparison of two rows' event rates, with the goal it should meet, if any. */
interface Ratio {
  readonly of: string;
  readonly over: string;
  readonly format: 'percent' | 'times';
  readonly goal?: number;
}

const RATIOS: readonly Ratio[] = [
  { of: 'simulator', over: 'ceiling', format: 'percent', goal: 0.4 },
  { of: 'simulator', over: 'fake-timers', format: 'times', goal: 10 },
  { of: 'simulator+hash', over: 'simulator', format: 'percent' },
];

/** A row's simulated-to-real speed with the goal it should meet. */
interface SpeedGoal {
  readonly row: string;
  readonly goal: number;
}

/** The media plane's goal: an 8-peer group call with audio, 60 simulated seconds, at least 300 times faster than real time. */
const SPEED_GOALS: readonly SpeedGoal[] = [{ row: 'call-8-60s', goal: 300 }];

const OPTIONS: MeasureOptions = { warmupMs: 250, targetMs: 1500, reps: 3 };

const FLAGS = ['--json', '--help', '--seed', '--seeds', '--playout'] as const;

const USAGE = `usage: npm run bench -- [--json] [--help] [--seed N] [--seeds a,b,…] [--playout FILE] [workload...]

workloads (default: all marked *):
${WORKLOADS.map((w) => `  ${w.byDefault ? '*' : ' '} ${w.name.padEnd(13)} ${w.summary}`).join('\n')}

flags:
  --json      print one JSON document instead of the table (use npm run -s to keep stdout clean)
  --seed N    reports: the trace seed of the playout tables (and the only seed scored, unless --seeds)
  --seeds a,b reports: the trace seeds the playout warnings and robustness are scored over
  --playout F playout: add your own controller (a module exporting a PlayoutAlgorithm, as
              examples/playout-recent-max.ts does) to every table, comparison and warning score;
              repeatable
  --help      print this help (also -h)`;

/** A command-line mistake: reported on stderr with exit code 2. */
class UsageError extends Error {}

interface Args {
  readonly json: boolean;
  readonly help: boolean;
  readonly workloads: readonly Workload[];
  readonly report: Omit<ReportOptions, 'playouts'>;
  /** `--playout` module paths, loaded by `main`. */
  readonly playouts: readonly string[];
}

/** A seed: a non-negative integer. */
function seedOf(flag: string, text: string | undefined): number {
  const n = Number(text);
  if (text === undefined || text === '' || !Number.isSafeInteger(n) || n < 0) throw new UsageError(`${flag} wants a non-negative integer, got ${JSON.stringify(text ?? '')}`);
  return n;
}

function parseArgs(argv: readonly string[]): Args {
  let json = false;
  let help = false;
  let seed: number | undefined;
  let seeds: number[] | undefined;
  const names: string[] = [];
  const playouts: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (arg === '--json') json = true;
    else if (arg === '--help' || arg === '-h') help = true;
    else if (flag === '--seed') seed = seedOf('--seed', inline ?? argv[++i]);
    else if (flag === '--seeds') seeds = (inline ?? argv[++i] ?? '').split(',').map((s) => seedOf('--seeds', s));
    else if (flag === '--playout') playouts.push(inline ?? argv[++i] ?? '');
    else if (arg.startsWith('-')) throw new UsageError(`unknown flag ${JSON.stringify(arg)} (known: ${FLAGS.join(', ')})`);
    else names.push(arg);
  }
  const workloads = names.map((name) => {
    const workload = WORKLOADS.find((w) => w.name === name);
    if (workload === undefined) throw new UsageError(`unknown workload ${JSON.stringify(name)} (known: ${WORKLOADS.map((w) => w.name).join(', ')})`);
    return workload;
  });
  if (playouts.length > 0 && !workloads.includes(playout)) throw new UsageError('--playout adds a controller to the playout lab: name the workload too (npm run bench -- playout --playout FILE)');
  const report = { ...(seed === undefined ? {} : { seed }), ...(seeds === undefined ? {} : { seeds }) };
  return { json, help, workloads: workloads.length > 0 ? [...new Set(workloads)] : WORKLOADS.filter((w) => w.byDefault), report, playouts };
}

/** The machine the figures were taken on. */
function machine(): { node: string; v8: string; cpu: string; cores: number; platform: string } {
  const cores = cpus();
  return {
    node: process.version,
    v8: process.versions.v8,
    cpu: cores[0]?.model.trim() ?? 'unknown',
    cores: cores.length,
    platform: `${platform()}-${arch()}`,
  };
}

interface RatioResult extends Ratio {
  readonly label: string;
  readonly value: number;
  readonly met?: boolean;
}

interface SpeedResult extends SpeedGoal {
  readonly value: number;
  readonly met: boolean;
}

function speeds(rows: readonly Measurement[]): SpeedResult[] {
  return SPEED_GOALS.flatMap((g) => {
    const value = rows.find((m) => m.name === g.row)?.simToReal;
    return value === undefined ? [] : [{ ...g, value, met: value >= g.goal }];
  });
}

function ratios(rows: readonly Measurement[]): RatioResult[] {
  return RATIOS.flatMap((r) => {
    const of = rows.find((m) => m.name === r.of);
    const over = rows.find((m) => m.name === r.over);
    if (of === undefined || over === undefined) return [];
    const value = of.eventsPerSec / over.eventsPerSec;
    return [{ ...r, label: `${r.of} / ${r.over}`, value, ...(r.goal === undefined ? {} : { met: value >= r.goal }) }];
  });
}

const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const ratioText = (format: Ratio['format'], n: number): string => (format === 'percent' ? `${(n * 100).toFixed(1)} %` : `${n.toFixed(1)}×`);

function table(rows: readonly Measurement[], results: readonly RatioResult[], goals: readonly SpeedResult[]): string {
  const m = machine();
  const header = ['workload', 'size', 'events', 'best ms', 'events/s', 'packets/s', 'sim:real', 'reps ms'];
  const body = rows.map((r) => [
    r.name,
    `${int(r.size)} ${r.unit}`,
    int(r.events),
    r.wallMs.toFixed(1),
    int(r.eventsPerSec),
    r.packetsPerSec === undefined ? '' : int(r.packetsPerSec),
    r.simToReal === undefined ? '' : `${r.simToReal.toFixed(0)}:1`,
    r.repsWallMs.map((w) => w.toFixed(0)).join(' / '),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const out = [
    `callsim bench: Node ${m.node} (V8 ${m.v8}), ${m.cpu}, ${m.cores} cores, ${m.platform}`,
    `best of ${OPTIONS.reps} after warm-up; each repetition aims at ${OPTIONS.targetMs} ms of wall time`,
    '',
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...body.map(line),
  ];
  if (results.length + goals.length > 0) out.push('');
  const verdict = (goal: string, met: boolean) => `   goal ≥ ${goal}: ${met ? 'met' : 'MISSED'}`;
  for (const r of results) {
    const goal = r.goal === undefined ? '' : verdict(ratioText(r.format, r.goal), r.met!);
    out.push(`${r.label.padEnd(28)} ${ratioText(r.format, r.value).padStart(8)}${goal}`);
  }
  for (const g of goals) out.push(`${`${g.row} × real time`.padEnd(28)} ${`${g.value.toFixed(0)}×`.padStart(8)}${verdict(`${g.goal}×`, g.met)}`);
  return out.join('\n');
}

async function main(argv: readonly string[]): Promise<void> {
  const args = parseArgs(argv);
  if (args.help) {
    console.log(USAGE);
    return;
  }
  const added: PlayoutAlgorithm[] = [];
  for (const spec of args.playouts) {
    let choice;
    try {
      choice = await loadPlayout(spec);
    } catch (error) {
      throw error instanceof ConfigError ? new UsageError(error.message) : error;
    }
    if (choice.source === 'builtin') throw new UsageError(`--playout: ${spec} is in the lab already; --playout takes a module path`);
    added.push(choice.algorithm);
  }
  if (new Set(added.map((a) => a.name)).size < added.length) throw new UsageError(`--playout: two controllers share a name (${added.map((a) => a.name).join(', ')})`);
  const rows: Measurement[] = [];
  for (const workload of args.workloads) {
    for (const c of workload.cases) {
      if (process.stderr.isTTY) process.stderr.write(`measuring ${c.name}…\n`);
      rows.push(measure(c, OPTIONS));
    }
  }
  const results = ratios(rows);
  const goals = speeds(rows);
  const reports = args.workloads.flatMap((w) => {
    if (w.report === undefined) return [];
    if (process.stderr.isTTY) process.stderr.write(`reporting ${w.name}…\n`);
    return [{ workload: w.name, ...w.report({ ...args.report, playouts: added }) }];
  });
  if (args.json) {
    const data = reports.map((r) => ({ workload: r.workload, data: r.data }));
    console.log(JSON.stringify({ machine: machine(), options: OPTIONS, results: rows, ratios: results, speedGoals: goals, ...(data.length > 0 ? { reports: data } : {}) }, null, 2));
  } else {
    console.log([table(rows, results, goals), ...reports.map((r) => r.text)].join('\n\n'));
  }
}

try {
  await main(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof UsageError || error instanceof PlayoutContractError)) throw error;
  console.error(`bench: ${error.message}${error instanceof UsageError ? `\n\n${USAGE}` : ''}`);
  process.exitCode = 2;
}
