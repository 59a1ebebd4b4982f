/**
 * Bringing your own playout controller: a module exporting one is loaded (or refused, naming what is
 * wrong), runs in calls through the reference protocol, and joins the playout lab's tables, comparisons
 * and warning scores; a controller that breaks the interface during a replay is named with the trace and
 * the time.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import recentMax from '../examples/playout-recent-max.ts';
import { compare, playoutReport, type TraceComparison, type WarningFigures } from '../bench/playout.ts';
import { PlayoutContractError, replay } from '../bench/playout-replay.ts';
import { playoutTrace } from '../bench/playout-traces.ts';
import { callProtocol, resolveConfig } from '../protocol/index.ts';
import { PLAYOUT_ALGORITHMS, type PlayoutAlgorithm } from '../protocol/media/index.ts';
import { loadPlayout } from '../scenarios/playouts.ts';
import { ConfigError } from '../sim/index.ts';
import silent from './support/playouts/silent.ts';
import throws from './support/playouts/throws.ts';

const test = suite('your own playout controller: loaded, run in calls, compared in the lab');
const MEDIA = fileURLToPath(new URL('../protocol/media/index.ts', import.meta.url));

/** A module at a fresh temporary path with `source`. */
function module(name: string, source: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'callsim-playout-')), `${name}.ts`);
  writeFileSync(path, source);
  return path;
}

test('a built-in name or a module path: an exported algorithm keeps its name, a function is named by its controllers', async () => {
  const builtin = await loadPlayout('neteq');
  assert.equal([builtin.algorithm, builtin.source], [PLAYOUT_ALGORITHMS.find((a) => a.name === 'neteq'), 'builtin']);
  const example = await loadPlayout('examples/playout-recent-max.ts');
  assert.equal([example.algorithm, example.source], [recentMax, 'examples/playout-recent-max.ts']);
  const fn = await loadPlayout('test/support/playouts/silent.ts');
  assert.is(fn.algorithm.name, 'silent');
  assert.is(fn.algorithm.create().algorithm, 'silent');
});

test('a module that is not a controller is refused with a ConfigError saying what is wrong', async () => {
  const cases: [string, RegExp][] = [
    ['jitterbuf', /--playout: expected one of fixed-3, ramjee-1, ramjee-4, neteq, callsim, or a module path, got "jitterbuf"/],
    ['./no/such/file.ts', /--playout: expected a module that can be imported, got ".\/no\/such\/file.ts \(Cannot find module/],
    [module('nothing', 'export const x = 1;\n'), /default export is a PlayoutAlgorithm \(\{ name, create \}\) or a function returning a PlayoutController, got/],
    [module('lacks', "export default { name: 'lacks', create: () => ({ handle() {} }) };\n"), /its controller lacks pollOutput, stats, targetDelayMs/],
    [module('fails', "export default { name: 'fails', create: () => { throw new Error('no config'); } };\n"), /its create\(\) threw: no config/],
    [module('unnamed', `import { fixedBuffer } from '${MEDIA}';\nexport default () => ({ ...fixedBuffer(), handle() {}, pollOutput() {}, stats() {}, targetDelayMs() { return 0; }, algorithm: '' });\n`), /with a name/],
    [module('clash', `import { fixedBuffer } from '${MEDIA}';\nexport default { name: 'neteq', create: () => fixedBuffer() };\n`), /expected an algorithm named other than the built-in fixed-3, ramjee-1, ramjee-4, neteq, callsim, got ".*clash\.ts \(named neteq\)"/],
  ];
  for (const [spec, message] of cases) {
    const error = await loadPlayout(spec).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.instance(error, ConfigError, spec);
    assert.match((error as Error).message, message, spec);
  }
});

test('the reference protocol takes the algorithms its config may name: yours by name once given, refused otherwise', () => {
  const playouts = [...PLAYOUT_ALGORITHMS, recentMax];
  assert.is(resolveConfig({ playout: 'recent-max' }, playouts).playout, 'recent-max');
  assert.throws(() => resolveConfig({ playout: 'recent-max' }), /config\.playout: expected one of fixed-3, ramjee-1, ramjee-4, neteq, callsim, got recent-max/);
  assert.throws(() => callProtocol({ playout: 'recent-max' }), /config\.playout: expected one of/);
  assert.is(callProtocol({ playout: 'recent-max' }, playouts).name, 'callsim');
});

test('the lab compares yours on the very same traces: its row is its replay, and "ours best" counts it', () => {
  const algorithms: PlayoutAlgorithm[] = [...PLAYOUT_ALGORITHMS, recentMax];
  for (const name of ['4g', 'stall'] as const) {
    const trace = playoutTrace(name, 1, 10_000);
    const t = compare(trace, algorithms);
    assert.equal(t.rows.map((r) => r.algorithm), ['fixed-3', 'ramjee-1', 'ramjee-4', 'neteq', 'callsim', 'recent-max']);
    assert.equal(t.rows[5], { algorithm: 'recent-max', ...replay(trace, recentMax).summary });
    const ours = t.rows[4]!;
    assert.is(t.oursBest, t.rows.every((r) => r === ours || r.r < ours.r), name);
    assert.equal(compare(trace).rows, t.rows.slice(0, 5), 'the built-ins are scored as without it');
  }
});

test('the lab scores your warnings like ours, and says whose they are', () => {
  const report = playoutReport(1, [1], 10_000, [recentMax]);
  const data = report.data as { algorithms: string[]; tables: TraceComparison[]; warnings: WarningFigures; addedWarnings: WarningFigures[] };
  assert.equal(data.algorithms, ['fixed-3', 'ramjee-1', 'ramjee-4', 'neteq', 'callsim', 'recent-max']);
  assert.equal([data.warnings.algorithm, data.addedWarnings.map((w) => w.algorithm)], ['callsim', ['recent-max']]);
  const raised = ['wifi', '4g', '3g', 'edge', 'high-jitter', 'climb', 'stall'].reduce((n, name) => n + replay(playoutTrace(name as 'wifi', 1, 10_000), recentMax).warnings.length, 0);
  assert.is(data.addedWarnings[0]!.warnings, raised);
  assert.match(report.text, /^playout lab: 6 algorithms on the same traces/);
  assert.match(report.text, /\ndegradation warnings \(ours\), seeds 1 of every trace/);
  assert.match(report.text, /\ndegradation warnings \(recent-max\), seeds 1 of every trace/);
  assert.match(report.text, /\n  its own playout: \d+ late-loss onsets, \d+ warned\n/);
});

test('npm run bench -- playout --playout FILE: a flag the lab cannot use exits 2, naming the problem', () => {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const bench = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'bench/run.ts', ...args], { cwd: root, encoding: 'utf8' });
  const cases: [string[], RegExp][] = [
    [['--playout', 'examples/playout-recent-max.ts'], /bench: --playout adds a controller to the playout lab: name the workload too/],
    [['playout', '--playout', 'neteq'], /bench: --playout: neteq is in the lab already; --playout takes a module path/],
    [['playout', '--playout', 'test/support/never-ending-direct-calls.ts'], /bench: --playout: expected a module whose default export is a PlayoutAlgorithm/],
    [['playout', '--playout', 'examples/playout-recent-max.ts', '--playout', 'examples/playout-recent-max.ts'], /bench: --playout: two controllers share a name \(recent-max, recent-max\)/],
  ];
  for (const [args, message] of cases) {
    const r = bench(...args);
    assert.is(r.status, 2, `${args.join(' ')} exited ${r.status}`);
    assert.match(r.stderr, message, args.join(' '));
  }
});

test('a controller that breaks the interface in a replay is named, with the trace and the time', () => {
  const trace = playoutTrace('wifi', 1, 5000);
  const nameOf = (create: () => ReturnType<PlayoutAlgorithm['create']>) => ({ name: create().algorithm, create });
  assert.throws(() => replay(trace, nameOf(silent)), (e: Error) => e instanceof PlayoutContractError && e.message === 'playout silent, on trace wifi seed 1 at 10 ms: a tick gave 0 audio outputs (the interface wants exactly one)');
  assert.throws(() => replay(trace, throws), (e: Error) => e instanceof PlayoutContractError && /^playout throws, on trace wifi seed 1 at 1990 ms: threw Error: boom$/.test(e.message));
});

test.run();
