/**
 * What a scenario is: data plus a script. The peers, the networks to run on, per-link settings, the
 * protocol's constants, a timeline of user actions and faults at simulated times, and expectations.
 * Users write one as a TypeScript module (`export default defineScenario({ … })`) in their own folder
 * and run it by path; the catalog ships in scenarios/catalog/. `defineScenario` validates everything it
 * can before the run and throws a `ConfigError` that names the field, so a bad scenario file exits 2.
 */
import { ConfigSettingError, resolveConfig, type ProtocolConfig } from '../protocol/config.ts';
import type { PeerId } from '../protocol/contract.ts';
import { checkClockSetting, ConfigError, NODE_ID, NODE_ID_RULE, presetModel, resolveLinkModel, PERFECT_LINK, type NetworkSpec } from '../sim/index.ts';
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
  s.peers.forEach((p: unknown, i: number) => {
    if (typeof p !== 'string' || !NODE_ID.test(p)) throw new ConfigError(field(`peers[${i}]`), NODE_ID_RULE, p);
  });
  const peers = new Set(s.peers);
  const known = (p: unknown, f: string) => {
    if (typeof p !== 'string' || !peers.has(p)) throw new ConfigError(field(f), `one of the peers (${s.peers.join(', ')})`, p);
  };
  const peerList = (v: unknown, f: string) => {
    if (!Array.isArray(v)) throw new ConfigError(field(f), `a list of peers (${s.peers.join(', ')})`, v);
    v.forEach((p: unknown, j: number) => known(p, `${f}[${j}]`));
  };
  const optional = (v: unknown, f: string, allowed: string, ok: (v: unknown) => boolean) => {
    if (v !== undefined && !ok(v)) throw new ConfigError(field(f), allowed, v);
  };
  const isBoolean = (v: unknown) => typeof v === 'boolean';
  const isChannel = (v: unknown) => v === 'signaling' || v === 'media';
  if (s.offline !== undefined) peerList(s.offline, 'offline');
  if (s.puppets !== undefined) peerList(s.puppets, 'puppets');
  optional(s.clocks, 'clocks', 'an object of clock settings per peer', (v) => typeof v === 'object' && v !== null && !Array.isArray(v));
  for (const [p, setting] of Object.entries(s.clocks ?? {})) {
    known(p, `clocks.${p}`);
    checkClockSetting(setting, field(`clocks.${p}`));
  }
  if (!(typeof s.durationMs === 'number' && Number.isFinite(s.durationMs) && s.durationMs > 0)) throw new ConfigError(field('durationMs'), 'a number of ms > 0', s.durationMs);
  if (s.networks !== undefined && !(Array.isArray(s.networks) && s.networks.length > 0)) throw new ConfigError(field('networks'), 'a non-empty list of presets or link settings', s.networks);
  for (const [i, n] of (s.networks ?? DEFAULT_NETWORKS).entries()) checkNetwork(n, field(`networks[${i}]`));
  if (s.media !== undefined) checkNetwork(s.media, field('media'));
  optional(s.links, 'links', 'a list of { from, to, settings, channel?, bothWays? }', Array.isArray);
  for (const [i, l] of (s.links ?? []).entries()) {
    const f = `links[${i}]`;
    if (typeof l !== 'object' || l === null) throw new ConfigError(field(f), '{ from, to, settings, channel?, bothWays? }', l);
    known(l.from, `${f}.from`);
    known(l.to, `${f}.to`);
    checkNetwork(l.settings, field(`${f}.settings`));
    optional(l.channel, `${f}.channel`, "'signaling' or 'media'", isChannel);
    optional(l.bothWays, `${f}.bothWays`, 'true or false', isBoolean);
  }
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
    const a = `${f}[2]`;
    const isCallRef = (v: unknown) => (typeof v === 'string' && v.length > 0) || Number.isInteger(v);
    switch (action.type) {
      case 'dial':
        return peerList(action.peers, `${a}.peers`);
      case 'join':
      case 'reject':
      case 'get':
        if (!isCallRef(action.call)) throw new ConfigError(field(`${a}.call`), 'a call label (c1) or an index into the node\'s calls', action.call);
        return;
      case 'leave':
        return optional(action.call, `${a}.call`, "a call label (c1) or an index into the node's calls", isCallRef);
      case 'mute':
        if (typeof action.muted !== 'boolean') throw new ConfigError(field(`${a}.muted`), 'true or false', action.muted);
        return;
      case 'deafen':
        if (typeof action.deafened !== 'boolean') throw new ConfigError(field(`${a}.deafened`), 'true or false', action.deafened);
        return;
      case 'partition':
        peerList(action.from, `${a}.from`);
        return optional(action.oneWay, `${a}.oneWay`, 'true or false', isBoolean);
      case 'heal':
        return action.with === undefined ? undefined : peerList(action.with, `${a}.with`);
      case 'hold':
      case 'release':
        known(action.to, `${a}.to`);
        return optional(action.channel, `${a}.channel`, "'signaling' or 'media'", isChannel);
      case 'clock':
        return checkClockSetting(action, field(a));
      case 'set-link':
        known(action.to, `${a}.to`);
        checkNetwork(action.settings, field(`${a}.settings`));
        optional(action.channel, `${a}.channel`, "'signaling' or 'media'", isChannel);
        return optional(action.bothWays, `${a}.bothWays`, 'true or false', isBoolean);
      case 'forge':
        known(action.to, `${a}.to`);
        if (typeof action.bytes !== 'function') throw new ConfigError(field(`${a}.bytes`), 'a function from the session to the bytes to send', action.bytes);
        return;
      default:
        return; // list, crash, restart, pause, resume: nothing more to say
    }
  });
  if (s.config !== undefined) {
    try {
      resolveConfig(s.config);
    } catch (error) {
      if (!(error instanceof ConfigSettingError)) throw error;
      throw new ConfigError(field(`config.${error.setting}`), error.allowed, error.got);
    }
  }
  optional(s.settle, 'settle', 'false or { boundMs? }', (v) => v === false || (typeof v === 'object' && v !== null));
  if (s.settle !== undefined && s.settle !== false && !(s.settle.boundMs === undefined || (typeof s.settle.boundMs === 'number' && s.settle.boundMs > 0))) {
    throw new ConfigError(field('settle.boundMs'), 'a number of ms > 0', s.settle.boundMs);
  }
  optional(s.forgetsIdleCalls, 'forgetsIdleCalls', 'true or false', isBoolean);
  optional(s.expect, 'expect', 'a function from the session to a list of failures', (v) => typeof v === 'function');
  optional(s.seed, 'seed', 'a non-negative integer', (v) => Number.isSafeInteger(v) && (v as number) >= 0);
  return s;
}

/** A short name for a network spec in reports: the preset name, or `custom` with its settings. */
export function networkLabel(n: NetworkSpec): string {
  return typeof n === 'string' ? n : `custom${JSON.stringify(n)}`;
}

function checkNetwork(n: NetworkSpec, f: string): void {
  if (typeof n !== 'string' && (typeof n !== 'object' || n === null || Array.isArray(n))) throw new ConfigError(f, 'a preset name or link settings', n);
  if (typeof n === 'string') presetModel(n, f);
  else resolveLinkModel(PERFECT_LINK, n, f);
}
