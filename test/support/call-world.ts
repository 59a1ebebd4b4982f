/**
 * A harness for protocol tests on the simulator: peers running the reference protocol, a script of
 * user commands at simulated times, and each node's events in a compact, id-free form
 * (`incoming c1 from alice`, `+bob`, `left c1 (user)`) so a test can assert whole sequences. Call ids
 * are random, so scripts name calls `c1`, `c2`, … in the order they are dialed.
 *
 * `NETWORKS` holds the two networks every requirement runs on: `perfect` (a constant 10 ms) and `chaos`
 * (20 % loss, 20 % duplication, reordering, 5 % corruption and heavy jitter).
 */
import { callProtocol, encodeMessage, type CallCommand, type CallEvent, type CallView, type ProtocolConfig, type WireMessage } from '../../protocol/index.ts';
import { OK, type NodeOutput, type Outcome, type PeerId, type Protocol } from '../../protocol/contract.ts';
import { TraceRecorder, World, type LinkOverrides } from '../../sim/index.ts';

/** The networks every requirement test runs on. */
export const NETWORKS: Record<'perfect' | 'chaos', LinkOverrides> = {
  perfect: { delayMs: 10 },
  chaos: {
    delayMs: 20,
    jitterMs: 40,
    loss: { model: 'random', p: 0.2 },
    duplicate: 0.2,
    reorder: 0.1,
    reorderGap: 2,
    corrupt: 0.05,
  },
};

/** A command in a script: calls are named by label (`c1` = the first call dialed). */
export type ScriptCommand =
  | CallCommand
  | { readonly type: 'crash' }
  | { readonly type: 'restart' }
  /** Cut this node off from `from` (both ways). */
  | { readonly type: 'partition'; readonly from: readonly PeerId[] }
  /** Restore every path. */
  | { readonly type: 'heal' }
  /** Hold this node's signaling link to `to`: messages wait at the far end until `release`. */
  | { readonly type: 'hold'; readonly to: PeerId }
  /** Deliver everything held on this node's link to `to`. */
  | { readonly type: 'release'; readonly to: PeerId }
  /** A puppet node sends a hand-made message (built when the step runs, so it can name real call ids). */
  | { readonly type: 'forge'; readonly to: PeerId; readonly message: (w: CallWorld) => WireMessage };

/** One step of a script: at `at` ms, `node` does `command`. */
export type Step = readonly [at: number, node: PeerId, command: ScriptCommand];

/** Options of a call world. */
export interface CallWorldOptions {
  readonly network: LinkOverrides;
  readonly seed?: number;
  readonly config?: Partial<ProtocolConfig>;
  /** Nodes that start switched off (they boot on a `restart` step). */
  readonly offline?: readonly PeerId[];
  /** Nodes that run no protocol: they send whatever a `forge` step tells them (an attacker, a replayer). */
  readonly puppets?: readonly PeerId[];
}

/** A node that sends the bytes it is told to, and ignores everything it receives. */
const puppet: Protocol<{ to: PeerId; bytes: Uint8Array }, never> = {
  name: 'puppet',
  create: () => {
    const outbox: NodeOutput<never>[] = [];
    return {
      handle: (input) => {
        if (input.type === 'command') outbox.push({ type: 'send', to: input.command.to, channel: 'signaling', bytes: input.command.bytes });
        return OK;
      },
      pollOutput: () => outbox.shift(),
    };
  },
};

/** Peers running the reference protocol on a simulated network, with compact event logs. */
export class CallWorld {
  /** The simulated world. */
  readonly world: World<CallCommand, CallEvent>;
  /** Everything that happened. */
  readonly trace = new TraceRecorder();
  /** Outcomes of the script's commands, in order. */
  readonly outcomes: { at: number; node: PeerId; outcome: Outcome }[] = [];
  private readonly labels = new Map<string, string>();
  private readonly ids = new Map<string, string>();

  constructor(
    readonly peers: readonly PeerId[],
    options: CallWorldOptions,
  ) {
    this.world = new World<CallCommand, CallEvent>({ seed: options.seed ?? 1, network: options.network, trace: [this.trace] });
    const protocol = callProtocol(options.config);
    for (const peer of peers) {
      const plugin = options.puppets?.includes(peer) ? (puppet as unknown as typeof protocol) : protocol;
      this.world.addNode(peer, plugin, { start: !options.offline?.includes(peer) });
    }
  }

  /** Schedule every step of `script`. */
  script(steps: readonly Step[]): this {
    for (const [at, node, command] of steps) this.world.at(at, () => this.outcomes.push({ at, node, outcome: this.run(node, command) }));
    return this;
  }

  /** Give `node` a command now (labels resolved; dial results labelled). */
  run(node: PeerId, command: ScriptCommand): Outcome {
    switch (command.type) {
      case 'crash':
        return this.world.crash(node), OK;
      case 'restart':
        return this.world.restart(node), OK;
      case 'partition':
        return this.world.partition(node, command.from), OK;
      case 'heal':
        return this.world.heal(), OK;
      case 'hold':
        return this.world.hold(node, command.to, { channel: 'signaling' }), OK;
      case 'release':
        return this.world.release(node, command.to, { channel: 'signaling' }), OK;
      case 'forge':
        return this.world.command(node, { type: 'forge', to: command.to, bytes: encodeMessage(command.message(this)) } as unknown as CallCommand);
    }
    const resolved = 'callId' in command && command.callId !== undefined ? { ...command, callId: this.ids.get(command.callId) ?? command.callId } : command;
    const outcome = this.world.command(node, resolved);
    if (outcome.ok && command.type === 'dial') this.label((outcome.value as CallView).callId);
    return outcome;
  }

  /** Run until simulated time `t`. */
  until(t: number): this {
    this.world.runUntil(t);
    return this;
  }

  /** The real id of call `label`. */
  id(label: string): string {
    const id = this.ids.get(label);
    if (id === undefined) throw new Error(`no call labelled ${label}`);
    return id;
  }

  /** `node`'s view of call `label` (via the `get` query). */
  view(node: PeerId, label: string): CallView {
    const outcome = this.world.command(node, { type: 'get', callId: this.id(label) });
    if (!outcome.ok) throw new Error(`${node} cannot see ${label}: ${outcome.error.code}`);
    return outcome.value as CallView;
  }

  /** Membership as `node` sees call `label`: `alice:joined bob:left(muted) …`. */
  membership(node: PeerId, label: string): string {
    return this.view(node, label)
      .participants.map((p) => `${p.peer}:${p.status}${p.muted ? '+m' : ''}${p.deafened ? '+d' : ''}`)
      .join(' ');
  }

  /** Every event `node` emitted, compact and in order. */
  events(node: PeerId): string[] {
    return this.trace.only('event').filter((e) => e.node === node).map((e) => this.describe(e.event as CallEvent));
  }

  /** Every node's events. */
  allEvents(): Record<PeerId, string[]> {
    return Object.fromEntries(this.peers.map((p) => [p, this.events(p)]));
  }

  private label(id: string): string {
    let label = this.labels.get(id);
    if (label === undefined) {
      label = `c${this.labels.size + 1}`;
      this.labels.set(id, label);
      this.ids.set(label, id);
    }
    return label;
  }

  private describe(e: CallEvent): string {
    const c = this.label(e.callId);
    switch (e.type) {
      case 'incoming':
        return `incoming ${c} from ${e.initiator}`;
      case 'ring-timeout':
        return `ring-timeout ${c}`;
      case 'pending':
        return `pending ${c}`;
      case 'cancelled':
        return `cancelled ${c}`;
      case 'missed':
        return `missed ${c}`;
      case 'joined': {
        const inCall = e.call.participants.filter((p) => p.status === 'joined');
        return `joined ${c} [${inCall.map((p) => p.peer + (p.muted ? '+m' : '') + (p.deafened ? '+d' : '')).join(' ')}]`;
      }
      case 'left':
        return `left ${c} (${e.reason})`;
      case 'participant-joined':
        return `+${e.peer}${e.muted ? '+m' : ''}${e.deafened ? '+d' : ''}`;
      case 'participant-left':
        return `-${e.peer} (${e.status})`;
      case 'participant-state':
        return `${e.peer}${e.muted ? ' muted' : ' unmuted'}${e.deafened ? ' deafened' : ''}`;
    }
  }
}

/** The value of an accepted outcome (throws on a refusal, naming its code). */
export function valueOf<T>(outcome: Outcome): T {
  if (!outcome.ok) throw new Error(`refused: ${outcome.error.code}: ${outcome.error.message}`);
  return outcome.value as T;
}

/** Run `steps` on `network` until `end` and return the world. */
export function play(peers: readonly PeerId[], steps: readonly Step[], end: number, options: CallWorldOptions): CallWorld {
  return new CallWorld(peers, options).script(steps).until(end);
}
