/**
 * `npm run sim` (the whole catalog), `list`, `run <name|file>` and `replay <token|file>`.
 *
 * Each run is judged by the invariants and the scenario's expectations; the table shows scenario,
 * network, seed, verdict, simulated and wall time and, when the protocol ran audio, the streams' median
 * and lowest MOS and the time sync's median round-trip error against the simulator's truth; every failure is followed by its violations,
 * the events that led there, and a one-line replay command. `--json` prints `{ ok, runs: [...] }`.
 * Exit code: 0 when every run passed, 1 when any broke, 2 for usage or configuration errors.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError, presetModel, PERFECT_LINK, resolveLinkModel, type LinkOverrides, type NetworkSpec } from '../../sim/index.ts';
import { CATALOG } from '../catalog/index.ts';
import { caseScenario } from '../fuzz/cases.ts';
import { CALLSIM, loadProtocol, type ProtocolChoice } from '../protocols.ts';
import { decodeToken } from '../replay.ts';
import { callProtocol } from '../../protocol/index.ts';
import { PLAYOUT_ALGORITHMS } from '../../protocol/media/index.ts';
import { loadPlayout } from '../playouts.ts';
import { audioSummary } from '../audio-report.ts';
import { runScenario, type RunReport } from '../runner.ts';
import { DEFAULT_NETWORKS, defineScenario, networkLabel, type Scenario } from '../scenario.ts';
import { integerFlag, palette, parseFlags, positiveFlag, print, probabilityFlag, progress, table, UsageError } from './common.ts';

/** Help of the scenario commands. */
export const RUN_HELP = `usage:
  npm run sim                          run the whole catalog on each scenario's networks
  npm run sim -- list                  list the catalog
  npm run sim -- run <name|file> [...] run one scenario (a catalog name or a .ts file exporting one)
  npm run sim -- replay <token|file>   rerun a fuzz failure exactly (token or saved file)

options for run (and for the catalog):
  --seed N          root seed (default: the scenario's, else 1)
  --net NAME|JSON   network: a preset name or link settings as JSON (default: the scenario's networks)
  --latency MS      one-way delay, over the network's        --jitter MS   delay variation
  --loss P          loss probability (0.05 or 5%)             --burst L     mean loss burst length (with --loss)
  --protocol P      callsim (default) or a module path exporting a protocol
  --playout NAME    the reference protocol's playout controller: callsim (default), neteq, ramjee-1,
                    ramjee-4, fixed-3, or a module path exporting your own (compare them end to end;
                    the audio column shows the effect)
  --json            one JSON document: { ok, runs: [{ scenario, seed, network, protocol, ok,
                    violations: [{ invariant, requirement, node, atMs, message }], traceHash,
                    audio: { streams, mutedStreams, mosMin, mosMedian, worst, lateLossPercent, warnings, calls,
                             rtt: { samples, medianErrorPercent, p95ErrorPercent, maxErrorMs } },
                    stats: { events, messages, simulatedMs, wallMs } }] }`;

const FLAGS = {
  seed: { type: 'string' },
  net: { type: 'string' },
  latency: { type: 'string' },
  jitter: { type: 'string' },
  loss: { type: 'string' },
  burst: { type: 'string' },
  protocol: { type: 'string' },
  playout: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** `list`: the catalog, one line per scenario. */
export function listCommand(argv: string[]): number {
  const { values, positionals } = parseFlags(argv, { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } });
  if (values.help) return print(RUN_HELP), 0;
  if (positionals.length > 0) throw new UsageError(`list takes no arguments, got "${positionals[0]}"`);
  if (values.json) {
    print(JSON.stringify({ ok: true, scenarios: CATALOG.map((s) => ({ name: s.name, title: s.title, requirements: s.requirements, networks: (s.networks ?? DEFAULT_NETWORKS).map(networkLabel) })) }, null, 2));
    return 0;
  }
  print(table(['scenario', 'requirements', 'networks', 'what it shows'], CATALOG.map((s) => [s.name, s.requirements.join(' '), (s.networks ?? DEFAULT_NETWORKS).map(networkLabel).join(', '), s.title])));
  return 0;
}

/** The whole catalog (`npm run sim` with no command) or one scenario (`run <name|file>`). */
export async function runCommand(argv: string[], whole: boolean): Promise<number> {
  const { values, positionals } = parseFlags(argv, FLAGS);
  if (values.help) return print(RUN_HELP), 0;
  if (whole && positionals.length > 0) throw new UsageError(`unknown command "${positionals[0]}": expected list, run, replay, fuzz or survey`);
  if (!whole && positionals.length !== 1) throw new UsageError('run needs one scenario: a catalog name or a file path');
  const protocol = await withPlayout(await loadProtocol(values.protocol ?? 'callsim'), values.playout);
  const scenarios = whole ? CATALOG : [await loadScenario(positionals[0]!)];
  const jobs = scenarios.flatMap((scenario) =>
    networksFor(scenario, values).map((network) => ({ scenario, network, seed: integerFlag('--seed', values.seed, scenario.seed ?? 1) })),
  );
  const flags = [values.protocol === undefined ? '' : ` --protocol ${values.protocol}`, values.playout === undefined ? '' : ` --playout ${values.playout}`].join('');
  return report(jobs, protocol, values.json === true, flags);
}

/** `replay <token|file>`: rerun a fuzz failure exactly. */
export async function replayCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(argv, { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } });
  if (values.help) return print(RUN_HELP), 0;
  if (positionals.length !== 1) throw new UsageError('replay needs a token (cs1.…) or a saved scenario file');
  const what = positionals[0]!;
  if (!what.startsWith('cs1.')) return runCommand([what, ...(values.json ? ['--json'] : [])], false);
  let payload;
  try {
    payload = decodeToken(what);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const scenario = caseScenario(payload.case, `fuzz-${payload.property}`);
  const protocol = await loadProtocol(payload.protocol);
  return report([{ scenario, network: scenario.networks![0]!, seed: scenario.seed ?? 1 }], protocol, values.json === true, payload.protocol === 'callsim' ? '' : ` --protocol ${payload.protocol}`);
}

interface Job {
  readonly scenario: Scenario;
  readonly network: NetworkSpec;
  readonly seed: number;
}

function report(jobs: readonly Job[], protocol: ProtocolChoice, json: boolean, protocolFlags: string): number {
  const bar = progress();
  const reports: RunReport[] = [];
  for (const [i, job] of jobs.entries()) {
    if (!json) bar.update(`running ${i + 1}/${jobs.length}: ${job.scenario.name} on ${networkLabel(job.network)}`);
    reports.push(runScenario(job.scenario, { network: job.network, seed: job.seed, protocol }));
  }
  bar.done();
  const ok = reports.every((r) => r.ok);
  if (json) {
    print(JSON.stringify({ ok, runs: reports }, null, 2));
    return ok ? 0 : 1;
  }
  const c = palette();
  const rows = reports.map((r) => [r.scenario, shortNetwork(r.network), String(r.seed), r.ok ? c.green('pass') : c.red('FAIL'), `${(r.stats.simulatedMs / 1000).toFixed(1)} s`, `${r.stats.wallMs.toFixed(1)} ms`, audioSummary(r.audio)]);
  print(table(['scenario', 'network', 'seed', 'verdict', 'simulated', 'wall', 'audio: median MOS (lowest) · round-trip error'], rows));
  for (const [i, r] of reports.entries()) {
    if (r.ok) continue;
    const job = jobs[i]!;
    print(`\n${c.red('FAIL')} ${r.scenario} on ${r.network}, seed ${r.seed}:`);
    for (const v of r.violations) {
      print(`  ${c.bold(v.invariant)} (${v.requirement}) at ${v.node}, ${(v.atMs / 1000).toFixed(3)} s: ${v.message}`);
      for (const line of v.context) print(c.dim(`      ${line}`));
    }
    print(`  replay: ${replayLine(job, protocolFlags)}`);
  }
  const failed = reports.filter((r) => !r.ok).length;
  print(`\n${reports.length - failed} passed, ${failed} failed`);
  return ok ? 0 : 1;
}

/** The protocol with its playout controller replaced by the one `spec` names or its module exports (none: unchanged). */
async function withPlayout(protocol: ProtocolChoice, spec: string | undefined): Promise<ProtocolChoice> {
  if (spec === undefined) return protocol;
  const { algorithm } = await loadPlayout(spec);
  if (protocol.source !== CALLSIM.source) throw new UsageError(`--playout: applies to the reference protocol (callsim), not ${protocol.source}`);
  const playouts = PLAYOUT_ALGORITHMS.includes(algorithm) ? PLAYOUT_ALGORITHMS : [...PLAYOUT_ALGORITHMS, algorithm];
  return { ...protocol, name: `${protocol.name} (playout ${algorithm.name})`, make: (config) => callProtocol({ ...config, playout: algorithm.name }, playouts) };
}

function replayLine(job: Job, protocolFlags: string): string {
  const net = typeof job.network === 'string' ? job.network : `'${JSON.stringify(job.network)}'`;
  const where = job.scenario.source ?? job.scenario.name;
  return `npm run sim -- run ${where} --net ${net} --seed ${job.seed}${protocolFlags}`;
}

function shortNetwork(label: string): string {
  return label.length > 40 ? label.slice(0, 37) + '...' : label;
}

/** A catalog scenario by name, or a scenario module by path. */
async function loadScenario(what: string): Promise<Scenario> {
  const named = CATALOG.find((s) => s.name === what);
  if (named !== undefined) return named;
  if (!/[/\\]|\.ts$|\.js$/.test(what)) throw new UsageError(`no scenario "${what}" in the catalog (npm run sim -- list) and it is not a file path`);
  let mod: { default?: unknown };
  try {
    mod = (await import(pathToFileURL(resolve(what)).href)) as { default?: unknown };
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new UsageError(`cannot load scenario file ${what}: ${(error as Error).message.split('\n')[0]}`);
  }
  return { ...defineScenario(mod.default as Scenario), source: what };
}

function networksFor(scenario: Scenario, values: { net?: string; latency?: string; jitter?: string; loss?: string; burst?: string }): NetworkSpec[] {
  const base: NetworkSpec[] = values.net === undefined ? [...(scenario.networks ?? DEFAULT_NETWORKS)] : [parseNet(values.net)];
  const overrides: Record<string, unknown> = {};
  if (values.latency !== undefined) overrides['delayMs'] = positiveOrZero('--latency', values.latency);
  if (values.jitter !== undefined) overrides['jitterMs'] = positiveOrZero('--jitter', values.jitter);
  if (values.burst !== undefined && values.loss === undefined) throw new UsageError('--burst needs --loss (the long-run loss the bursts add up to)');
  if (values.loss !== undefined) {
    const rate = probabilityFlag('--loss', values.loss);
    overrides['loss'] = values.burst === undefined ? { model: 'random', p: rate } : { model: 'burst', rate, meanBurstLength: positiveFlag('--burst', values.burst, 1) };
  }
  if (Object.keys(overrides).length === 0) return base;
  return base.map((n) => {
    const model = typeof n === 'string' ? presetModel(n, '--net') : resolveLinkModel(PERFECT_LINK, n, '--net');
    return { ...model, ...overrides } as LinkOverrides;
  });
}

function parseNet(text: string): NetworkSpec {
  if (!text.trimStart().startsWith('{')) return presetModel(text, '--net') && text;
  let settings: LinkOverrides;
  try {
    settings = JSON.parse(text) as LinkOverrides;
  } catch (error) {
    throw new UsageError(`--net: expected a preset name or JSON link settings, got "${text}" (${(error as Error).message})`);
  }
  resolveLinkModel(PERFECT_LINK, settings, '--net');
  return settings;
}

function positiveOrZero(flag: string, text: string): number {
  const n = Number(text);
  if (!(Number.isFinite(n) && n >= 0)) throw new UsageError(`${flag}: expected a number of ms >= 0, got "${text}"`);
  return n;
}
