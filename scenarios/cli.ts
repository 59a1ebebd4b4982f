/**
 * The command line behind `npm run sim`.
 *
 * Commands: `survey` (the default) runs the network survey on every preset, or on those given with
 * `--net`, and prints a table (or one JSON document with `--json`). Exit codes: 0 when every run
 * finished, 2 for a usage or configuration error (the message names the bad flag or value).
 * Scenario runs of the call protocol arrive with the scenario catalog.
 */
import { parseArgs } from 'node:util';
import { ConfigError, PRESET_NAMES } from '../sim/index.ts';
import { survey, type SurveyResult } from './survey.ts';

const HELP = `usage: npm run sim -- [survey] [options]

  survey            measure every network preset with a ping stream (default)

options:
  --net NAME        preset to survey (repeatable; default: all of ${PRESET_NAMES.join(', ')})
  --seed N          root seed (integer, default 1)
  --duration S      simulated seconds per preset (default 60)
  --every MS        ping interval in ms (default 20)
  --json            print one JSON document instead of a table
  -h, --help        this help
`;

class UsageError extends Error {}

function main(argv: string[]): number {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        net: { type: 'string', multiple: true },
        seed: { type: 'string', default: '1' },
        duration: { type: 'string', default: '60' },
        every: { type: 'string', default: '20' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    return usage((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  try {
    const [command = 'survey', ...rest] = positionals;
    if (command !== 'survey') throw new UsageError(`unknown command "${command}": expected survey`);
    if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"`);
    const seed = integer('--seed', values.seed);
    const durationS = positive('--duration', values.duration);
    const everyMs = positive('--every', values.every);
    const nets = values.net ?? [...PRESET_NAMES];
    for (const net of nets) if (!PRESET_NAMES.includes(net)) throw new UsageError(`--net: expected one of ${PRESET_NAMES.join(', ')}, got "${net}"`);
    const results = nets.map((network) => {
      const started = performance.now();
      const result = survey({ network, seed, durationS, everyMs });
      return { ...result, wallMs: performance.now() - started };
    });
    if (values.json) process.stdout.write(JSON.stringify({ ok: true, command: 'survey', runs: results }, null, 2) + '\n');
    else printTable(results, durationS, everyMs);
    return 0;
  } catch (error) {
    if (error instanceof UsageError || error instanceof ConfigError) return usage(error.message);
    throw error;
  }
}

function usage(message: string): number {
  process.stderr.write(`error: ${message}\n\n${HELP}`);
  return 2;
}

function integer(flag: string, text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new UsageError(`${flag}: expected an integer, got "${text}"`);
  return n;
}

function positive(flag: string, text: string): number {
  const n = Number(text);
  if (!(Number.isFinite(n) && n > 0)) throw new UsageError(`${flag}: expected a number > 0, got "${text}"`);
  return n;
}

function printTable(results: (SurveyResult & { wallMs: number })[], durationS: number, everyMs: number): void {
  const f = (x: number, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '-');
  const header = ['network', 'seed', 'pings', 'rt loss %', 'expected %', 'rtt mean', 'p50', 'p95', 'p99', 'reordered', 'sim/real', 'trace hash'];
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
    `${f(r.simulatedMs / Math.max(r.wallMs, 0.001), 0)}x`,
    r.traceHash.slice(0, 12),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(`network survey: alice pings bob every ${everyMs} ms on the media channel for ${durationS} simulated s (rtt in ms)\n`);
  console.log(line(header));
  for (const row of rows) console.log(line(row));
  const seed = results[0]?.seed ?? 1;
  console.log(`\nreplay one row exactly: npm run sim -- survey --net ${results[0]?.network ?? 'wifi'} --seed ${seed} --duration ${durationS} --every ${everyMs}`);
}

process.exitCode = main(process.argv.slice(2));
