/**
 * Fuzz cases: whole scenarios as shrinkable data, and how one becomes a runnable `Scenario`.
 *
 * Theory of operation: a `FuzzCase` is plain JSON: a number of peers, the network's parameters (drawn
 * per case: swarm testing), a list of user commands at simulated times and a list of fault episodes
 * (each a start time and a duration). Nothing random happens inside a run except the simulator's own
 * seeded draws, so fast-check can shrink every part of a failing case: fewer peers, fewer commands and
 * faults, earlier times, a calmer network. Commands name peers and calls by index (taken modulo what
 * exists when the command runs, after fast-check's model-based examples), so a shrunk case stays
 * meaningful. `caseScenario` turns a case into a scenario; `describeCase` prints it for people.
 */
import type { PeerId } from '../../protocol/contract.ts';
import type { LinkOverrides } from '../../sim/index.ts';
import { defineScenario, type Scenario } from '../scenario.ts';
import type { Action, Step } from '../session.ts';

/** Peer names, in order (a case with n peers uses the first n). */
export const PEER_NAMES = ['ann', 'ben', 'cat', 'dan', 'eve', 'fay', 'gus', 'hal'] as const;

/** Length of a case's scripted phase (ms); the runner's quiet phase follows. */
export const CASE_DURATION_MS = 30_000;

/** A user command of a fuzz case. */
export type FuzzCommand =
  | { readonly at: number; readonly node: number; readonly op: 'dial'; readonly targets: readonly number[] }
  | { readonly at: number; readonly node: number; readonly op: 'join' | 'reject'; readonly call: number }
  | { readonly at: number; readonly node: number; readonly op: 'leave' }
  | { readonly at: number; readonly node: number; readonly op: 'mute' | 'deafen'; readonly on: boolean }
  /** Turn the app off, and on again `offMs` later. */
  | { readonly at: number; readonly node: number; readonly op: 'off-on'; readonly offMs: number };

/** A fault episode of a fuzz case: it starts at `at` and ends `durationMs` later (or at the quiet phase). */
export type FuzzFault =
  /** The peers whose bit is set in `side` are cut off from the others. */
  | { readonly at: number; readonly durationMs: number; readonly kind: 'partition'; readonly side: number }
  /** `node`'s links to `peer` hold everything, then release it at once. */
  | { readonly at: number; readonly durationMs: number; readonly kind: 'hold'; readonly node: number; readonly peer: number }
  /** `node` crashes, then restarts from its snapshot. */
  | { readonly at: number; readonly durationMs: number; readonly kind: 'crash'; readonly node: number }
  /** `node` freezes, then resumes. */
  | { readonly at: number; readonly durationMs: number; readonly kind: 'pause'; readonly node: number }
  /** `node`'s clock is `offsetMs` off and drifts by `driftPpm` from the start (a monotonic clock never steps). */
  | { readonly at: number; readonly durationMs: number; readonly kind: 'skew'; readonly node: number; readonly offsetMs: number; readonly driftPpm: number };

/** The network of a case: one model on every link. */
export interface FuzzNetwork {
  readonly delayMs: number;
  readonly jitterMs: number;
  /** Loss probability; bursty (Gilbert-Elliott, mean burst 3) when `bursty`. */
  readonly loss: number;
  readonly bursty: boolean;
  readonly duplicate: number;
  readonly reorder: number;
  readonly corrupt: number;
}

/** A whole fuzz case. */
export interface FuzzCase {
  /** Number of peers (2 to 8). */
  readonly peers: number;
  /** Root seed of the simulator. */
  readonly seed: number;
  readonly network: FuzzNetwork;
  readonly commands: readonly FuzzCommand[];
  readonly faults: readonly FuzzFault[];
  /** A short prune time (ms) for the reference protocol, and the check that idle calls are forgotten. */
  readonly pruneAfterMs?: number;
  /** Run the media plane (channels, time sync, audio); off by default: most properties are about signaling. */
  readonly audio?: boolean;
}

/** The link settings of a case's network. */
export function networkSettings(n: FuzzNetwork): LinkOverrides {
  const loss = n.loss === 0 ? { model: 'none' as const } : n.bursty ? { model: 'gemodel' as const, p: n.loss / (3 * (1 - n.loss)), r: 1 / 3 } : { model: 'random' as const, p: n.loss };
  return {
    delayMs: n.delayMs,
    jitterMs: n.jitterMs,
    distribution: 'normal',
    loss,
    duplicate: n.duplicate,
    corrupt: n.corrupt,
    ...(n.reorder > 0 && n.delayMs > 0 ? { reorder: n.reorder, reorderGap: 2 } : {}),
  };
}

/** The scenario a case stands for. */
export function caseScenario(c: FuzzCase, name = 'fuzz-case'): Scenario {
  const peers = PEER_NAMES.slice(0, c.peers);
  const peer = (i: number) => peers[((i % peers.length) + peers.length) % peers.length]!;
  const end = (at: number, duration: number) => Math.min(CASE_DURATION_MS, at + duration);
  const steps: Step[] = [];
  const clocks: Record<PeerId, { offsetMs: number; driftPpm: number }> = {};
  const add = (at: number, node: PeerId, action: Action) => steps.push([at, node, action]);
  for (const cmd of c.commands) {
    const me = peer(cmd.node);
    switch (cmd.op) {
      case 'dial': {
        const others = peers.filter((p) => p !== me);
        const targets = [...new Set(cmd.targets.map((t) => others[((t % others.length) + others.length) % others.length]!))];
        add(cmd.at, me, { type: 'dial', peers: targets });
        break;
      }
      case 'join':
      case 'reject':
        add(cmd.at, me, { type: cmd.op, call: cmd.call });
        break;
      case 'leave':
        add(cmd.at, me, { type: 'leave' });
        break;
      case 'mute':
        add(cmd.at, me, { type: 'mute', muted: cmd.on });
        break;
      case 'deafen':
        add(cmd.at, me, { type: 'deafen', deafened: cmd.on });
        break;
      case 'off-on':
        add(cmd.at, me, { type: 'crash' });
        add(end(cmd.at, cmd.offMs), me, { type: 'restart' });
        break;
    }
  }
  for (const f of c.faults) {
    const stop = end(f.at, f.durationMs);
    switch (f.kind) {
      case 'partition': {
        const side = peers.filter((_, i) => (f.side >> i) & 1);
        const rest = peers.filter((p) => !side.includes(p));
        if (side.length === 0 || rest.length === 0) break;
        for (const p of side) {
          add(f.at, p, { type: 'partition', from: rest });
          add(stop, p, { type: 'heal', with: rest });
        }
        break;
      }
      case 'hold': {
        const a = peer(f.node);
        const b = peer(f.peer);
        if (a === b) break;
        add(f.at, a, { type: 'hold', to: b });
        add(stop, a, { type: 'release', to: b });
        break;
      }
      case 'crash':
        add(f.at, peer(f.node), { type: 'crash' });
        add(stop, peer(f.node), { type: 'restart' });
        break;
      case 'pause':
        add(f.at, peer(f.node), { type: 'pause' });
        add(stop, peer(f.node), { type: 'resume' });
        break;
      case 'skew':
        clocks[peer(f.node)] = { offsetMs: f.offsetMs, driftPpm: f.driftPpm };
        break;
    }
  }
  steps.sort((a, b) => a[0] - b[0]); // stable: same-time steps keep their order
  return defineScenario({
    name,
    title: `fuzz case: ${c.peers} peers, ${c.commands.length} commands, ${c.faults.length} faults`,
    requirements: [],
    peers,
    networks: [networkSettings(c.network)],
    steps,
    clocks,
    durationMs: CASE_DURATION_MS,
    seed: c.seed,
    config: { audio: c.audio === true, ...(c.pruneAfterMs === undefined ? {} : { pruneAfterMs: c.pruneAfterMs }) },
    ...(c.pruneAfterMs === undefined ? {} : { forgetsIdleCalls: true }),
  });
}

/** A case for people: the network, then every step with its time. */
export function describeCase(c: FuzzCase): string {
  const s = caseScenario(c);
  const lines = [`${c.peers} peers (${s.peers.join(', ')}), seed ${c.seed}`, `network: ${JSON.stringify(networkSettings(c.network))}`];
  for (const [node, clock] of Object.entries(s.clocks ?? {})) lines.push(`clock of ${node}: ${clock.offsetMs} ms off, drifting ${clock.driftPpm} ppm`);
  for (const [at, node, action] of s.steps) {
    const { type, ...args } = action;
    const detail = Object.entries(args)
      .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : String(v)}`)
      .join(' ');
    lines.push(`  ${(at / 1000).toFixed(3).padStart(7)} s  ${node.padEnd(3)}  ${type}${detail ? ' ' + detail : ''}`);
  }
  return lines.join('\n');
}

/** The size of a case, as reported for shrunk failures: commands + fault episodes. */
export function caseSize(c: FuzzCase): number {
  return c.commands.length + c.faults.length;
}
