/**
 * The command line as a user meets it, in child processes: exit codes (0 pass, 1 broke, 2 usage or
 * configuration error), `--json` documents, error messages that name the bad flag or field, and a fuzz
 * failure that is shrunk, saved and replayed from its one-line token.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';

const test = suite('cli: npm run sim and npm run fuzz');
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BROKEN = 'test/support/never-ending-direct-calls.ts';

function sim(...args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'scenarios/cli.ts', ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

test('run --json: one scenario, the documented schema, exit 0', () => {
  const r = sim('run', 'direct-call-ends', '--net', 'perfect', '--seed', '3', '--json');
  assert.is(r.code, 0, r.err);
  const doc = JSON.parse(r.out) as { ok: boolean; runs: Record<string, unknown>[] };
  assert.is(doc.ok, true);
  assert.equal(Object.keys(doc.runs[0]!).sort(), ['audio', 'network', 'ok', 'protocol', 'scenario', 'seed', 'stats', 'traceHash', 'violations']);
  const audio = doc.runs[0]!['audio'] as { streams: number; mosMin: number; mosMedian: number; worst: object; calls: { call: string; streams: number; totals: Record<string, number> }[]; rtt: Record<string, number> };
  assert.equal(Object.keys(audio).sort(), ['calls', 'lateLossPercent', 'mosMedian', 'mosMin', 'mutedStreams', 'rtt', 'streams', 'warnings', 'worst']);
  assert.equal(Object.keys(audio.worst).sort(), ['listener', 'lossPercent', 'meanPlayoutDelayMs', 'mos', 'speaker']);
  // a perfect network: both streams play every frame at the least delay, and the round trip is exact
  assert.equal([audio.streams, audio.mosMin.toFixed(2), audio.mosMedian.toFixed(2), audio.rtt['medianErrorPercent'], audio.rtt['maxErrorMs']], [2, '4.39', '4.39', 0, 0]);
  assert.equal(audio.calls.map((c) => [c.call, c.streams, c.totals['packetsLost'], c.totals['packetsDiscarded'], c.totals['concealmentEvents']]), [['c1', 2, 0, 0, 0]]);
  assert.equal(Object.keys(doc.runs[0]!['stats'] as object).sort(), ['events', 'messages', 'simulatedMs', 'wallMs']);
  assert.equal([doc.runs[0]!['scenario'], doc.runs[0]!['network'], doc.runs[0]!['seed'], doc.runs[0]!['protocol']], ['direct-call-ends', 'perfect', 3, 'callsim']);
  assert.match(String(doc.runs[0]!['traceHash']), /^[0-9a-f]{64}$/);
});

test('run --playout: the same scenario with a baseline controller, named in the report, audio scored', () => {
  const doc = JSON.parse(sim('run', 'direct-call-ends', '--net', '3g', '--playout', 'fixed-3', '--json').out) as { runs: { protocol: string; ok: boolean; audio: { streams: number; mosMin: number } }[] };
  assert.equal(doc.runs.map((r) => [r.protocol, r.ok, r.audio.streams]), [['callsim (playout fixed-3)', true, 2]]);
  assert.ok(doc.runs[0]!.audio.mosMin > 2 && doc.runs[0]!.audio.mosMin < 3.5, String(doc.runs[0]!.audio.mosMin));
});

test('run --playout FILE: your own controller in the calls, named in the report; one that throws is a crashed app, with a replay line', () => {
  const doc = JSON.parse(sim('run', 'direct-call-ends', '--net', '3g', '--playout', 'examples/playout-recent-max.ts', '--json').out) as { runs: { protocol: string; ok: boolean; audio: { streams: number } }[] };
  assert.equal(doc.runs.map((r) => [r.protocol, r.ok, r.audio.streams]), [['callsim (playout recent-max)', true, 2]]);
  const r = sim('run', 'direct-call-ends', '--net', 'perfect', '--playout', 'test/support/playouts/throws.ts');
  assert.is(r.code, 1, r.err);
  assert.match(r.out, /core-never-throws \(contract\) at (alice|bob), [\d.]+ s: Error: boom/);
  assert.match(r.out, /replay: npm run sim -- run direct-call-ends --net perfect --seed 1 --playout test\/support\/playouts\/throws.ts/);
});

test('survey --json: each preset measured, with the time sync\'s round-trip error against the truth, same seed same hash', () => {
  const run = () => JSON.parse(sim('survey', '--net', 'perfect', '--net', '3g', '--duration', '20', '--json').out) as { ok: boolean; runs: { network: string; pings: number; traceHash: string; rttMs: { p50: number }; timeSync: { medianErrorPercent: number; p95ErrorPercent: number } }[] };
  const doc = run();
  assert.equal(doc.runs.map((r) => [r.network, r.pings]), [['perfect', 1000], ['3g', 1000]]);
  assert.equal([doc.runs[0]!.rttMs.p50, doc.runs[0]!.timeSync.medianErrorPercent, doc.runs[0]!.timeSync.p95ErrorPercent], [0, 0, 0]);
  assert.ok(doc.runs[1]!.timeSync.medianErrorPercent <= 10, JSON.stringify(doc.runs[1]!.timeSync));
  assert.equal(run().runs.map((r) => r.traceHash), doc.runs.map((r) => r.traceHash));
});

test('usage errors name the flag or value and exit 2', () => {
  const cases: [string[], RegExp][] = [
    [['--bogus'], /Unknown option '--bogus'/],
    [['frobnicate'], /unknown command "frobnicate"/],
    [['run', 'no-such-scenario'], /no scenario "no-such-scenario" in the catalog/],
    [['run', 'direct-call-ends', '--net', 'lte'], /--net: expected one of perfect, wifi/],
    [['run', 'direct-call-ends', '--loss', '7'], /--loss: expected a probability such as 0.05 or 5%, got "7"/],
    [['run', 'direct-call-ends', '--loss', '60%', '--burst', '1'], /meanBurstLength: expected a number > 2/],
    [['fuzz', '--shard', '3/3'], /--shard: expected I\/N with 0 <= I < N, got "3\/3"/],
    [['fuzz', '--property', 'everything'], /--property: expected one of any, concurrent-incoming/],
    [['fuzz', '--protocol', 'nonsense'], /--protocol: expected one of callsim or a module path/],
    [['run', 'direct-call-ends', '--playout', 'jitterbuf'], /--playout: expected one of fixed-3, ramjee-1, ramjee-4, neteq, callsim, or a module path, got "jitterbuf"/],
    [['run', 'direct-call-ends', '--playout', 'test/support/never-ending-direct-calls.ts'], /--playout: expected a module whose default export is a PlayoutAlgorithm/],
    [['run', 'direct-call-ends', '--protocol', BROKEN, '--playout', 'neteq'], /--playout: applies to the reference protocol \(callsim\)/],
  ];
  for (const [args, message] of cases) {
    const r = sim(...args);
    assert.is(r.code, 2, `${args.join(' ')} exited ${r.code}`);
    assert.match(r.err, message, args.join(' '));
  }
});

test('a bad scenario file names the field and exits 2; a failing one exits 1 with a replay line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'callsim-'));
  const bad = join(dir, 'bad.ts');
  writeFileSync(bad, `export default { name: 'bad', title: 't', requirements: [], peers: ['a', 'b'], steps: [[0, 'zed', { type: 'dial', peers: ['a'] }]], durationMs: 1000 };\n`);
  const r1 = sim('run', bad);
  assert.is(r1.code, 2);
  assert.match(r1.err, /scenario bad: steps\[0\]\[1\]: expected one of the peers \(a, b\), got "zed"/);
  const badConfig = join(dir, 'bad-config.ts');
  writeFileSync(badConfig, `export default { name: 'bad-config', title: 't', requirements: [], peers: ['a', 'b'], config: { ringTimeoutMs: -1 }, steps: [], durationMs: 1000 };\n`);
  const r3 = sim('run', badConfig);
  assert.is(r3.code, 2, r3.out);
  assert.match(r3.err, /scenario bad-config: config\.ringTimeoutMs: expected a number > 0, got -1/);
  const failing = join(dir, 'failing.ts');
  writeFileSync(failing, `export default { name: 'always-fails', title: 't', requirements: ['R1'], peers: ['a', 'b'], networks: ['perfect'], steps: [[0, 'a', { type: 'dial', peers: ['b'] }]], durationMs: 1000, expect: () => ['b should be in the call'] };\n`);
  const r2 = sim('run', failing);
  assert.is(r2.code, 1);
  assert.match(r2.out, /expectation \(R1\) at -, 21\.000 s: b should be in the call/);
  assert.match(r2.out, new RegExp(`replay: npm run sim -- run ${failing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} --net perfect --seed 1`));
});

test('fuzz finds a broken protocol, shrinks the case, saves it, and the token replays the failure', () => {
  const r = sim('fuzz', '--property', 'any', '--runs', '300', '--seed', '11', '--protocol', BROKEN, '--json');
  assert.is(r.code, 1, r.err);
  const doc = JSON.parse(r.out) as { ok: boolean; failure: { property: string; caseSeed: number; token: string; file: string; failure: { size: number; report: { violations: { invariant: string }[] } } } };
  assert.is(doc.ok, false);
  assert.ok(doc.failure.failure.report.violations.some((v) => v.invariant === 'direct-call-ends'), JSON.stringify(doc.failure.failure.report.violations));
  assert.ok(doc.failure.failure.size <= 4, `shrunk to ${doc.failure.failure.size} commands + faults`);
  const replayed = sim('replay', doc.failure.token, '--json');
  assert.is(replayed.code, 1);
  assert.ok((JSON.parse(replayed.out) as { runs: { violations: { invariant: string }[] }[] }).runs[0]!.violations.some((v) => v.invariant === 'direct-call-ends'));
  const fromFile = sim('run', doc.failure.file, '--protocol', BROKEN);
  assert.is(fromFile.code, 1);
  const again = sim('fuzz', '--property', 'any', '--case', String(doc.failure.caseSeed), '--protocol', BROKEN, '--json');
  assert.is(again.code, 1);
});

test('fuzz --json on the reference protocol: cases per property, exit 0', () => {
  const r = sim('fuzz', '--runs', '5', '--seed', '2', '--shard', '1/2', '--json');
  assert.is(r.code, 0, r.err);
  const doc = JSON.parse(r.out) as { ok: boolean; cases: Record<string, number>; shard: object };
  assert.equal([doc.ok, doc.cases, doc.shard], [true, { any: 5, 'concurrent-incoming': 5, 'group-leave-rejoin': 5, 'join-leave-race': 5, 'bounded-state': 5, media: 5 }, { index: 1, count: 2 }]);
});

test.run();
