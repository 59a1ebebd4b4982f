/**
 * What a scenario is: data plus a script. The peers, the networks to run on, per-link settings, the
 * protocol's constants, a timeline of user actions and faults at simulated times, and expectations.
 * Users write one as a TypeScript module (`export default defineScenario({ … })`) in their own folder
 * and run it by path; the catalog ships in scenarios/catalog/. `defineScenario` validates everything it
 * can before the run and throws a `ConfigError` that names the field, so a bad scenario file exits 2.
 */
import { ConfigSettingError, resolveConfig, type ProtocolConfig } from '../protocol/config.ts';
import type { PeerId } from '../protocol/contract.ts';
import { ConfigError, presetModel, resolveLinkModel, PERFECT_LINK, type NetworkSpec } from '../sim/index.ts';
import type { Session, SessionOptions, Step } from './session.ts';

/** The quiet phase after the script: faults stop, the network stops losing, liveness is checked. */
export interface SettleOptions {
  /** How long the quiet phase lasts before the liveness invariants are checked (ms). Default 20000. */
  readonly boundMs?: number;
}

/** A scenario. */
export interface Scenario {
  /** A short kebab-case name (`two-incoming-calls`). */
  readonly name: string;
  /** One line saying what it shows. */
  readonly title: string;
  /** The requirements it exercises (`R5`, `R9`, …). */
  readonly requirements: readonly string[];
  /** The peers, in order. */
  readonly peers: readonly PeerId[];
  /** The networks it runs on by default (preset names or settings); default `perfect` and `wifi-lossy`. */
  readonly networks?: readonly NetworkSpec[];
  /** A different default network for the media channel. */
  readonly media?: NetworkSpec;
  /** Per-link settings applied at the start. */
  readonly links?: SessionOptions['links'];
  /** Peers that start switched off. */
  readonly offline?: readonly PeerId[];
  /** Clocks that are off from the start (offset ms, drift ppm), per peer. */
  readonly clocks?: SessionOptions['clocks'];
  /** Peers that run no protocol and send what `forge` steps say. */
  readonly puppets?: readonly PeerId[];
  /** Constants of the reference protocol (ignored by other protocols). */
  readonly config?: Partial<ProtocolConfig>;
  /** The timeline. */
  readonly steps: readonly Step[];
  /** Length of the scripted phase (ms). */
  readonly durationMs: number;
  /** Quiet phase and liveness check after the script (default on); `false` for none. */
  readonly settle?: SettleOptions | false;
  /** Also check that calls idle through the whole quiet phase are forgotten (configure a short prune time). */
  readonly forgetsIdleCalls?: boolean;
  /** Extra checks at the end: each returned sentence is a failure. */
  readonly expect?: (session: Session) => readonly string[];
  /** Seed used when none is given (default 1). */
  readonly seed?: number;
  /** The file it was loaded from, when it came from one (set by the loader; used in replay commands). */
  readonly source?: string;
}

/** The networks a scenario runs on when it names none. */
export const DEFAULT_NETWORKS: readonly NetworkSpec[] = ['perfect', 'wifi-lossy'];

/** The default quiet phase (ms): two of the reference protocol's longest retransmission gaps plus slack. */
export const DEFAULT_SETTLE_MS = 20_000;

const NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;
const ACTIONS = new Set(['dial', 'join', 'reject', 'leave', 'mute', 'deafen', 'list', 'get', 'crash', 'restart', 'pause', 'resume', 'partition', 'heal', 'hold', 'release', 'clock', 'set-link', 'forge']);

/** Validate a scenario and return it; throws a `ConfigError` naming the first bad field. */
export function defineScenario(s: Scenario): Scenario {
  const field = (f: string) => `scenario ${typeof s?.name === 'string' ? s.name : '?'}: ${f}`;
  if (typeof s !== 'object' || s === null) throw new ConfigError('scenario', 'an object (export default defineScenario({...}))', s);
  if (typeof s.name !== 'string' || !NAME.test(s.name)) throw new ConfigError(field('name'), 'kebab-case, 1 to 64 of a-z 0-9 -', s.name);
  if (typeof s.title !== 'string' || s.title.length === 0) throw new ConfigError(field('title'), 'a one-line description', s.title);
  if (!Array.isArray(s.requirements)) throw new ConfigError(field('requirements'), 'a list such as ["R5", "R9"]', s.requirements);
  if (!Array.isArray(s.peers) || s.peers.length < 1 || new Set(s.peers).size !== s.peers.length) {
    throw new ConfigError(field('peers'), 'a list of distinct peer names', s.peers);
  }
  const peers = new Set(s.peers);
  const known = (p: unknown, f: string) => {
    if (typeof p !== 'string' || !peers.has(p)) throw new ConfigError(field(f), `one of the peers (${s.peers.join(', ')})`, p);
  };
  for (const [i, p] of (s.offline ?? []).entries()) known(p, `offline[${i}]`);
  for (const [i, p] of (s.puppets ?? []).entries()) known(p, `puppets[${i}]`);
  for (const p of Object.keys(s.clocks ?? {})) known(p, `clocks.${p}`);
  if (!(typeof s.durationMs === 'number' && Number.isFinite(s.durationMs) && s.durationMs > 0)) throw new ConfigError(field('durationMs'), 'a number of ms > 0', s.durationMs);
  for (const [i, n] of (s.networks ?? DEFAULT_NETWORKS).entries()) checkNetwork(n, field(`networks[${i}]`));
  if (s.media !== undefined) checkNetwork(s.media, field('media'));
  if (!Array.isArray(s.steps)) throw new ConfigError(field('steps'), 'a list of [atMs, peer, action]', s.steps);
  s.steps.forEach((step, i) => {
    const f = `steps[${i}]`;
    if (!Array.isArray(step) || step.length !== 3) throw new ConfigError(field(f), '[atMs, peer, action]', step);
    const [at, node, action] = step;
    if (!(typeof at === 'number' && at >= 0 && at <= s.durationMs)) throw new ConfigError(field(`${f}[0]`), `a time in 0..${s.durationMs} ms`, at);
    known(node, `${f}[1]`);
    if (typeof action !== 'object' || action === null || !ACTIONS.has(action.type)) {
      throw new ConfigError(field(`${f}[2].type`), `one of ${[...ACTIONS].join(', ')}`, (action as { type?: unknown } | null)?.type);
    }
    if (action.type === 'dial') action.peers.forEach((p: unknown, j: number) => known(p, `${f}[2].peers[${j}]`));
    if (action.type === 'partition') action.from.forEach((p: unknown, j: number) => known(p, `${f}[2].from[${j}]`));
    if (action.type === 'hold' || action.type === 'release' || action.type === 'forge' || action.type === 'set-link') known(action.to, `${f}[2].to`);
  });
  if (s.config !== undefined) {
    try {
      resolveConfig(s.config);
    } catch (error) {
      if (!(error instanceof ConfigSettingError)) throw error;
      throw new ConfigError(field(`config.${error.setting}`), error.allowed, error.got);
    }
  }
  if (s.settle !== undefined && s.settle !== false && !(s.settle.boundMs === undefined || (typeof s.settle.boundMs === 'number' && s.settle.boundMs > 0))) {
    throw new ConfigError(field('settle.boundMs'), 'a number of ms > 0', s.settle.boundMs);
  }
  return s;
}

/** A short name for a network spec in reports: the preset name, or `custom` with its settings. */
export function networkLabel(n: NetworkSpec): string {
  return typeof n === 'string' ? n : `custom${JSON.stringify(n)}`;
}

function checkNetwork(n: NetworkSpec, f: string): void {
  if (typeof n === 'string') presetModel(n, f);
  else resolveLinkModel(PERFECT_LINK, n, f);
}
