/**
 * `npm run sim -- survey`: measure network presets with a ping stream (see scenarios/survey.ts) and print
 * the round-trip figures next to what each preset promises, and how well the reference protocol's time
 * sync estimates the round trip on each.
 */
import { PRESET_NAMES } from '../../sim/index.ts';
import { survey, timeSyncError, type SurveyResult, type TimeSyncError } from '../survey.ts';
import { integerFlag, parseFlags, positiveFlag, print, table, UsageError } from './common.ts';

/** Help of the survey command. */
export const SURVEY_HELP = `usage: npm run sim -- survey [options]

  --net NAME        preset to survey (repeatable; default: all of ${PRESET_NAMES.join(', ')})
  --seed N          root seed (default 1)
  --duration S      simulated seconds per preset (default 60)
  --every MS        ping interval in ms (default 20)
  --json            one JSON document: { ok, command, runs: [...] }`;

/** Run the survey command. */
export function surveyCommand(argv: string[]): number {
  const { values, positionals } = parseFlags(argv, {
    net: { type: 'string', multiple: true },
    seed: { type: 'string' },
    duration: { type: 'string' },
    every: { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return print(SURVEY_HELP), 0;
  if (positionals.length > 0) throw new UsageError(`survey takes flags only, got "${positionals[0]}"`);
  const seed = integerFlag('--seed', values.seed, 1);
  const durationS = positiveFlag('--duration', values.duration, 60);
  const everyMs = positiveFlag('--every', values.every, 20);
  const nets = values.net ?? [...PRESET_NAMES];
  for (const net of nets) if (!PRESET_NAMES.includes(net)) throw new UsageError(`--net: expected one of ${PRESET_NAMES.join(', ')}, got "${net}"`);
  const results = nets.map((network) => {
    const started = performance.now();
    const result = survey({ network, seed, durationS, everyMs });
    const wallMs = performance.now() - started;
    return { ...result, wallMs, timeSync: timeSyncError({ network, seed, durationS, everyMs }) };
  });
  if (values.json) return print(JSON.stringify({ ok: true, command: 'survey', runs: results }, null, 2)), 0;
  printSurvey(results, durationS, everyMs);
  return 0;
}

function printSurvey(results: (SurveyResult & { wallMs: number; timeSync: TimeSyncError | undefined })[], durationS: number, everyMs: number): void {
  const f = (x: number, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '-');
  const header = ['network', 'seed', 'pings', 'rt loss %', 'expected %', 'rtt mean', 'p50', 'p95', 'p99', 'reordered', 'sync err % p50/p95', 'sim/real', 'trace hash'];
  const rows = results.map((r) => [
    r.network,
    String(r.seed),
    String(r.pings),
    f(r.roundTripLossPct, 2),
    f(r.expectedRoundTripLossPct, 2),
    f(r.rttMs.mean),
    f(r.rttMs.p50),
    f(r.rttMs.p95),
    f(r.rttMs.p99),
    String(r.reordered),
    r.timeSync === undefined ? '-' : `${f(r.timeSync.medianErrorPercent)} / ${f(r.timeSync.p95ErrorPercent)}`,
    `${f(r.simulatedMs / Math.max(r.wallMs, 0.001), 0)}x`,
    r.traceHash.slice(0, 12),
  ]);
  print(`network survey: alice pings bob every ${everyMs} ms on the media channel for ${durationS} simulated s (rtt in ms);`);
  print(`sync err: a call's time-sync round-trip estimate against the true mean round trip, sampled every second\n`);
  print(table(header, rows));
  print(`\nreplay one row exactly: npm run sim -- survey --net ${results[0]?.network ?? 'wifi'} --seed ${results[0]?.seed ?? 1} --duration ${durationS} --every ${everyMs}`);
}
