/**
 * `playout`: the playout lab. Every algorithm replays the very same simulated packet traces (see
 * bench/playout-traces.ts) and each trace gets a table — late loss, mean playout delay, discards,
 * concealment events, frames not played, E-model R and MOS — with the two headline checks: ours has the
 * highest MOS (R breaks ties, since MOS saturates at 1), and no baseline beats ours on late loss and
 * mean delay at once (also checked on frames not played, since ours turns late loss into discards).
 * Then our degradation warnings are scored (bench/playout-warnings.ts) over several seeds of every
 * trace, and the comparison is repeated over those seeds for robustness. The tables use seed 1 and the
 * warnings seeds 1 to 5; `--seed N` gives the tables and every figure for seed N alone, `--seeds a,b,…`
 * the seeds the warnings and robustness are scored over.
 *
 * One timed case measures the controller's own cost: 60 s of the `3g` trace replayed through ours
 * (arrivals, time syncs and ticks), reported as stream seconds per wall second.
 */
import { PLAYOUT_ALGORITHMS, playoutNamed, type PlayoutAlgorithm } from '../protocol/media/index.ts';
import type { BenchCase, Report, RunCounts, Workload } from './harness.ts';
import { replay, type ReplaySummary } from './playout-replay.ts';
import { playoutTrace, TRACE_NAMES, type PlayoutTrace, type TraceName } from './playout-traces.ts';
import { scoreWarnings, type WarningScore } from './playout-warnings.ts';

/** The seed of the tables. */
export const TABLE_SEED = 1;

/** Length of every trace (ms of audio sent). */
export const TRACE_MS = 60_000;

/** Seeds the warnings are scored on, and the comparison repeated on. */
export const WARNING_SEEDS: readonly number[] = [1, 2, 3, 4, 5];

/** Loss above which the simplified E-model is outside its calibrated range (%). */
const EMODEL_LOSS_LIMIT = 20;

const OURS = 'callsim';

/** One algorithm's row of a trace table. */
export interface PlayoutRow extends ReplaySummary {
  /** The algorithm. */
  readonly algorithm: string;
}

/** The comparison on one trace. */
export interface TraceComparison {
  /** The trace. */
  readonly trace: TraceName;
  /** Seed. */
  readonly seed: number;
  /** What the network did: frames lost, one-way delay percentiles. */
  readonly network: { readonly lostPercent: number; readonly p50Ms: number; readonly p99Ms: number };
  /** One row per algorithm, baselines first. */
  readonly rows: readonly PlayoutRow[];
  /** Ours has the highest MOS (R breaking ties) among rows inside the E-model's range. */
  readonly oursBest: boolean;
  /** By how much ours trails the best other row in R (0 when best). */
  readonly shortfallR: number;
  /** Baselines better than ours on late loss and mean delay at once. */
  readonly dominatedBy: readonly string[];
  /** Baselines better than ours on frames not played and mean delay at once. */
  readonly dominatedOnLossBy: readonly string[];
}

/** Compare every algorithm on `trace`. */
export function compare(trace: PlayoutTrace, algorithms: readonly PlayoutAlgorithm[] = PLAYOUT_ALGORITHMS): TraceComparison {
  const rows = algorithms.map((a) => ({ algorithm: a.name, ...replay(trace, a).summary }));
  const ours = rows.find((r) => r.algorithm === OURS)!;
  const others = rows.filter((r) => r !== ours && r.notPlayedPercent <= EMODEL_LOSS_LIMIT);
  const bestOther = others.reduce((m, r) => Math.max(m, r.r), -Infinity);
  const delays = trace.packets.filter((p) => p.arrivedAt !== undefined).map((p) => p.arrivedAt! - p.sentAt).sort((a, b) => a - b);
  const q = (f: number) => delays[Math.min(delays.length - 1, Math.floor(f * delays.length))] ?? 0;
  const baselines = rows.filter((r) => r !== ours);
  return {
    trace: trace.name,
    seed: trace.seed,
    network: { lostPercent: (100 * (trace.packets.length - delays.length)) / trace.packets.length, p50Ms: q(0.5), p99Ms: q(0.99) },
    rows,
    oursBest: ours.r > bestOther,
    shortfallR: Math.max(0, bestOther - ours.r),
    dominatedBy: baselines.filter((b) => b.lateLossPercent < ours.lateLossPercent && b.meanDelayMs < ours.meanDelayMs).map((b) => b.algorithm),
    dominatedOnLossBy: baselines.filter((b) => b.notPlayedPercent < ours.notPlayedPercent && b.meanDelayMs < ours.meanDelayMs).map((b) => b.algorithm),
  };
}

/** Our warnings scored over `seeds` of every trace. */
export interface WarningFigures {
  /** The algorithm whose warnings these are. */
  readonly algorithm: string;
  /** Seeds used. */
  readonly seeds: readonly number[];
  /** Per trace name, summed over seeds. */
  readonly byTrace: readonly { readonly trace: TraceName; readonly warnings: number; readonly falseAlarms: number; readonly falseAlarmsAsHeard: number }[];
  /** Every warning raised. */
  readonly warnings: number;
  /** False alarms (no late loss over 5 % in a second within 2 s, playout frozen). */
  readonly falseAlarms: number;
  /** False alarms counting frames lost in the network as degradation too. */
  readonly falseAlarmsAsHeard: number;
  /** Climb episodes: total, degraded, warned ≥ 300 ms ahead; leads (ms) of the degraded ones (NaN: not warned ahead). */
  readonly climbs: { readonly episodes: number; readonly degraded: number; readonly inTime: number; readonly leadsMs: readonly number[] };
  /** Stall episodes: total, degraded, warned within 100 ms; detection delays (ms) of the degraded ones (NaN: not warned). */
  readonly stalls: { readonly episodes: number; readonly degraded: number; readonly inTime: number; readonly delaysMs: readonly number[] };
  /** Late-loss onsets of the algorithm's own playout and how many a warning preceded (from its stats). */
  readonly ownOnsets: { readonly onsets: number; readonly warned: number };
}

/** Score `algorithm`'s warnings (ours by default) on every trace for `seeds`. */
export function warningFigures(seeds: readonly number[], durationMs = TRACE_MS, algorithm: PlayoutAlgorithm = playoutNamed(OURS)): WarningFigures {
  const byTrace = TRACE_NAMES.map((trace) => ({ trace, warnings: 0, falseAlarms: 0, falseAlarmsAsHeard: 0 }));
  const scores: WarningScore[] = [];
  const own = { onsets: 0, warned: 0 };
  for (const seed of seeds) {
    for (const [i, name] of TRACE_NAMES.entries()) {
      const trace = playoutTrace(name, seed, durationMs);
      const result = replay(trace, algorithm);
      const score = scoreWarnings(trace, result);
      scores.push(score);
      byTrace[i]!.warnings += score.warnings;
      byTrace[i]!.falseAlarms += score.falseAlarms;
      byTrace[i]!.falseAlarmsAsHeard += score.falseAlarmsAsHeard;
      own.onsets += result.stats.degradation.onsets;
      own.warned += result.stats.degradation.warnedOnsets;
    }
  }
  const climbs = scores.flatMap((s) => s.climbs);
  const stalls = scores.flatMap((s) => s.stalls);
  const degradedClimbs = climbs.filter((c) => c.degradedAt !== undefined);
  const degradedStalls = stalls.filter((c) => c.degradedAt !== undefined);
  return {
    algorithm: algorithm.name,
    seeds,
    byTrace,
    warnings: byTrace.reduce((n, t) => n + t.warnings, 0),
    falseAlarms: byTrace.reduce((n, t) => n + t.falseAlarms, 0),
    falseAlarmsAsHeard: byTrace.reduce((n, t) => n + t.falseAlarmsAsHeard, 0),
    climbs: {
      episodes: climbs.length,
      degraded: degradedClimbs.length,
      inTime: degradedClimbs.filter((c) => c.inTime).length,
      leadsMs: degradedClimbs.map((c) => (c.warnedAt === undefined ? NaN : c.degradedAt! - c.warnedAt)),
    },
    stalls: {
      episodes: stalls.length,
      degraded: degradedStalls.length,
      inTime: degradedStalls.filter((c) => c.inTime).length,
      delaysMs: degradedStalls.map((c) => (c.warnedAt === undefined ? NaN : c.warnedAt - c.at)),
    },
    ownOnsets: own,
  };
}

/**
 * The whole report: tables for `TABLE_SEED`, warnings and robustness over `WARNING_SEEDS`, with `added`
 * algorithms (someone's own, `--playout`) in every table and comparison, and their warnings scored too.
 */
export function playoutReport(tableSeed = TABLE_SEED, seeds = WARNING_SEEDS, durationMs = TRACE_MS, added: readonly PlayoutAlgorithm[] = []): Report {
  const algorithms = [...PLAYOUT_ALGORITHMS, ...added];
  const tables = TRACE_NAMES.map((name) => compare(playoutTrace(name, tableSeed, durationMs), algorithms));
  const robustness = TRACE_NAMES.map((name) => {
    const runs = seeds.map((seed) => (seed === tableSeed ? tables.find((t) => t.trace === name)! : compare(playoutTrace(name, seed, durationMs), algorithms)));
    return { trace: name, seeds: runs.length, oursBest: runs.filter((r) => r.oursBest).length, undominated: runs.filter((r) => r.dominatedBy.length === 0).length, worstShortfallR: Math.max(...runs.map((r) => r.shortfallR)) };
  });
  const warnings = warningFigures(seeds, durationMs);
  const addedWarnings = added.map((a) => warningFigures(seeds, durationMs, a));
  const data = { tableSeed, durationMs, algorithms: algorithms.map((a) => a.name), tables, warnings, addedWarnings, robustness };
  return { text: render(data), data };
}

// ---- text ---------------------------------------------------------------------------------------

function render(d: {
  tableSeed: number;
  durationMs: number;
  algorithms: readonly string[];
  tables: readonly TraceComparison[];
  warnings: WarningFigures;
  addedWarnings: readonly WarningFigures[];
  robustness: readonly { trace: string; seeds: number; oursBest: number; undominated: number; worstShortfallR: number }[];
}): string {
  const out: string[] = [
    `playout lab: ${d.algorithms.length} algorithms on the same traces (seed ${d.tableSeed}, ${d.durationMs / 1000} s of 20 ms frames each)`,
    'late loss = arrived after its playout time; discards = dropped by the controller; not played = lost + late + discarded;',
    `delay = send to playout; MOS from R (G.711 + PLC, one-way = delay + 20 ms, BurstR of the not-played pattern); † = loss over ${EMODEL_LOSS_LIMIT} %, outside the E-model's range`,
  ];
  for (const t of d.tables) {
    out.push('', `${t.trace}: network lost ${t.network.lostPercent.toFixed(2)} %, one-way delay p50 ${t.network.p50Ms.toFixed(1)} ms, p99 ${t.network.p99Ms.toFixed(1)} ms`);
    const header = ['algorithm', 'late loss %', 'mean delay ms', 'discards', 'conceal events', 'not played %', 'R', 'MOS'];
    const body = t.rows.map((r) => [
      r.algorithm,
      r.lateLossPercent.toFixed(2),
      r.meanDelayMs.toFixed(1),
      String(r.discards),
      String(r.concealmentEvents),
      r.notPlayedPercent.toFixed(2) + (r.notPlayedPercent > EMODEL_LOSS_LIMIT ? ' †' : ''),
      r.r.toFixed(2),
      r.mos.toFixed(2),
    ]);
    out.push(...grid(header, body));
    const best = t.oursBest ? 'ours has the highest MOS (R breaks ties): yes' : `ours has the highest MOS: NO, ${t.shortfallR.toFixed(2)} R short`;
    const dom = t.dominatedBy.length === 0 ? 'no baseline better on late loss and delay at once: yes' : `better on late loss and delay at once: ${t.dominatedBy.join(', ')}`;
    const domLoss = t.dominatedOnLossBy.length === 0 ? 'on not played and delay: none' : `on not played and delay: ${t.dominatedOnLossBy.join(', ')}`;
    out.push(`  ${best}; ${dom} (${domLoss})`);
  }
  for (const w of [d.warnings, ...d.addedWarnings]) out.push('', ...renderWarnings(w));
  out.push(
    '',
    `robustness, seeds ${d.warnings.seeds.join(', ')}: ${d.robustness.map((r) => `${r.trace} best ${r.oursBest}/${r.seeds}${r.oursBest < r.seeds ? ` (worst −${r.worstShortfallR.toFixed(2)} R)` : ''}, undominated ${r.undominated}/${r.seeds}`).join('; ')}`,
  );
  return out.join('\n');
}

/** The warnings block of one algorithm. */
function renderWarnings(w: WarningFigures): string[] {
  const pct = (a: number, b: number) => (b === 0 ? 'n/a' : `${((100 * a) / b).toFixed(1)} %`);
  const spread = (xs: readonly number[]) => {
    const ok = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
    return ok.length === 0 ? 'none' : `min ${Math.round(ok[0]!)}, median ${Math.round(ok[Math.floor((ok.length - 1) / 2)]!)}, max ${Math.round(ok[ok.length - 1]!)} ms`;
  };
  const ours = w.algorithm === OURS;
  return [
    `degradation warnings (${ours ? 'ours' : w.algorithm}), seeds ${w.seeds.join(', ')} of every trace; degradation = late loss over 5 % of a second's frames with the playout frozen at its pre-trouble delay`,
    `  gradual climbs: ${w.climbs.episodes} episodes, ${w.climbs.degraded} degraded, warned ≥ 300 ms ahead in ${w.climbs.inTime} (${pct(w.climbs.inTime, w.climbs.degraded)}; goal ≥ 90 %); lead ${spread(w.climbs.leadsMs)}`,
    `  sudden stalls: ${w.stalls.episodes} episodes, ${w.stalls.degraded} degraded, warned within 100 ms of onset in ${w.stalls.inTime} (${pct(w.stalls.inTime, w.stalls.degraded)}); warning − onset ${spread(w.stalls.delaysMs)}`,
    `  false alarms: ${w.falseAlarms} of ${w.warnings} (${pct(w.falseAlarms, w.warnings)}; goal ≤ 10 %); counting network-lost frames as degradation too: ${w.falseAlarmsAsHeard} (${pct(w.falseAlarmsAsHeard, w.warnings)})`,
    `  by trace: ${w.byTrace.map((t) => `${t.trace} ${t.falseAlarms}/${t.warnings}`).join(', ')} (false/warnings)`,
    `  ${ours ? 'our' : 'its'} own playout: ${w.ownOnsets.onsets} late-loss onsets${ours ? ' (it holds for late frames instead of dropping them)' : ''}, ${w.ownOnsets.warned} warned`,
  ];
}

function grid(header: readonly string[], body: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]) => '  ' + cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)];
}

// ---- the timed case -------------------------------------------------------------------------------

let costTrace: PlayoutTrace | undefined;

/** Replay `seconds` of stream (whole 60 s passes of the `3g` trace) through our controller. */
export function runControllerCost(seconds: number): RunCounts {
  costTrace ??= playoutTrace('3g', TABLE_SEED, TRACE_MS);
  const ours = playoutNamed(OURS);
  const passes = Math.max(1, Math.round(seconds / (TRACE_MS / 1000)));
  let events = 0;
  for (let i = 0; i < passes; i++) {
    const result = replay(costTrace, ours);
    events += result.tickAt.length + costTrace.arrivals.length + costTrace.roundTrips.length;
  }
  return { events, simulatedMs: passes * TRACE_MS };
}

const controllerCost: BenchCase = { name: 'playout/callsim', unit: 'stream s', initialSize: 60, run: runControllerCost };

/** The `playout` workload (not in the default set: `npm run bench -- playout`). */
export const playout: Workload = {
  name: 'playout',
  summary: 'playout lab: every algorithm on the same simulated traces; quality tables, warnings; our controller\'s cost',
  byDefault: false,
  cases: [controllerCost],
  report: (options = {}) => {
    const seed = options.seed ?? TABLE_SEED;
    return playoutReport(seed, options.seeds ?? (options.seed === undefined ? WARNING_SEEDS : [seed]), TRACE_MS, options.playouts);
  },
};
