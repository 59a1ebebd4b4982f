/**
 * A call session: peers running a call protocol on a simulated world, driven by a script of actions.
 *
 * Theory of operation: the session owns one `World` and speaks the call vocabulary (protocol/api.ts)
 * that every call protocol plugged into callsim implements. Scripts name calls without knowing their
 * random ids: a label (`c1` = the first call dialed in the session, `c2` the second, …) or an index into
 * the acting node's own call list (taken modulo its length, so a fuzzer's actions stay meaningful after
 * shrinking). Actions are user commands and fault verbs alike. Events are kept in a compact, id-free
 * form (`incoming c1 from alice`, `+bob`, `left c1 (user)`) so scenarios and tests can assert whole
 * sequences. Queries for invariants go through `Host.query`, which is not traced.
 */
import type { CallCommand, CallEvent, CallView, MediaView } from '../protocol/api.ts';
import { OK, type Channel, type NodeOutput, type Outcome, type PeerId, type Protocol } from '../protocol/contract.ts';
import type { ClockSetting } from '../sim/node-clock.ts';
import { World, type NetworkSpec, type TraceSink } from '../sim/index.ts';

/** A call protocol as the scenarios drive it. */
export type CallProtocol = Protocol<CallCommand, CallEvent>;

/** A reference to a call in a script: a session label (`c1`) or an index into the node's own list. */
export type CallRef = string | number;

/** One thing a node does (or suffers) at a moment of the script. */
export type Action =
  | { readonly type: 'dial'; readonly peers: readonly PeerId[] }
  | { readonly type: 'join'; readonly call: CallRef }
  | { readonly type: 'reject'; readonly call: CallRef }
  | { readonly type: 'leave'; readonly call?: CallRef }
  | { readonly type: 'mute'; readonly muted: boolean }
  | { readonly type: 'deafen'; readonly deafened: boolean }
  | { readonly type: 'list' }
  | { readonly type: 'get'; readonly call: CallRef }
  /** The app is switched off (volatile state lost, persisted snapshot kept). */
  | { readonly type: 'crash' }
  /** The app is switched on again (or for the first time). */
  | { readonly type: 'restart' }
  /** The app freezes: timers and messages wait. */
  | { readonly type: 'pause' }
  | { readonly type: 'resume' }
  /** Cut this node off from `from`, both ways (or one way when `oneWay`: this node's packets to them). */
  | { readonly type: 'partition'; readonly from: readonly PeerId[]; readonly oneWay?: boolean }
  /** Restore every path (or this node's paths to `with`). */
  | { readonly type: 'heal'; readonly with?: readonly PeerId[] }
  /** Hold this node's link to `to`: packets wait at the far end until `release`. */
  | { readonly type: 'hold'; readonly to: PeerId; readonly channel?: Channel }
  | { readonly type: 'release'; readonly to: PeerId; readonly channel?: Channel }
  /** Step or skew this node's clock. */
  | ({ readonly type: 'clock' } & ClockSetting)
  /** Change this node's link(s) to `to`. */
  | { readonly type: 'set-link'; readonly to: PeerId; readonly settings: NetworkSpec; readonly channel?: Channel; readonly bothWays?: boolean }
  /** A puppet node sends hand-made bytes (built when the step runs, so they can name real call ids). */
  | { readonly type: 'forge'; readonly to: PeerId; readonly bytes: (session: Session) => Uint8Array };

/** One step of a script: at `at` ms, `node` does `action`. */
export type Step = readonly [at: number, node: PeerId, action: Action];

/** How to build a session. */
export interface SessionOptions {
  /** The protocol every (non-puppet) node runs. */
  readonly protocol: CallProtocol;
  /** Default network of both channels: a preset name or settings. */
  readonly network: NetworkSpec;
  /** Default network of the media channel (default: `network`). */
  readonly media?: NetworkSpec;
  /** Per-link settings applied at the start. */
  readonly links?: readonly { readonly from: PeerId; readonly to: PeerId; readonly settings: NetworkSpec; readonly channel?: Channel; readonly bothWays?: boolean }[];
  /** Root seed. */
  readonly seed: number;
  /** Nodes that start switched off (they boot on a `restart` step). */
  readonly offline?: readonly PeerId[];
  /** Clocks that are off from the start: offset (ms) and drift (ppm) per node. */
  readonly clocks?: Readonly<Record<PeerId, ClockSetting>>;
  /** Nodes that run no protocol and send what `forge` steps tell them (an attacker, a replayer). */
  readonly puppets?: readonly PeerId[];
  /** Extra trace sinks (invariant checkers, hashers, writers). */
  readonly trace?: readonly TraceSink[];
}

/** An action's result as recorded by the session. */
export interface StepOutcome {
  readonly at: number;
  readonly node: PeerId;
  readonly action: Action['type'];
  readonly outcome: Outcome;
}

/** Event types of the media plane, logged apart from the call events. */
const MEDIA_EVENTS = new Set<CallEvent['type']>(['media-open', 'media-closed', 'degradation-likely']);

const NO_CALL: Outcome = { ok: false, error: { code: 'no-call', message: 'the node knows no call for this reference' } };

/** A node that sends the bytes it is told to, and ignores everything it receives. */
const puppet: Protocol<unknown, never> = {
  name: 'puppet',
  create: () => {
    const outbox: NodeOutput<never>[] = [];
    return {
      handle: (input) => {
        if (input.type === 'command') {
          const { to, bytes } = input.command as { to: PeerId; bytes: Uint8Array };
          outbox.push({ type: 'send', to, channel: 'signaling', bytes });
        }
        return OK;
      },
      pollOutput: () => outbox.shift(),
    };
  },
};

/** Peers running a call protocol on a simulated world. */
export class Session {
  /** The simulated world. */
  readonly world: World<CallCommand, CallEvent>;
  /** Every signaling event, compact, per node (kept as the run goes). */
  private readonly eventLog = new Map<PeerId, string[]>();
  /** Every media event, compact, per node. */
  private readonly mediaLog = new Map<PeerId, string[]>();
  /** The simulated time of each media event, per node. */
  private readonly mediaTimes = new Map<PeerId, number[]>();
  /** Outcomes of the script's actions, in order. */
  readonly outcomes: StepOutcome[] = [];
  private readonly labels = new Map<string, string>();
  private readonly ids = new Map<string, string>();

  /** A session of `peers` (in this order) with `options`. */
  constructor(
    readonly peers: readonly PeerId[],
    options: SessionOptions,
  ) {
    const collector: TraceSink = {
      kinds: ['event'],
      record: (e) => {
        if (e.kind !== 'event') return;
        const event = e.event as CallEvent;
        const media = MEDIA_EVENTS.has(event.type);
        (media ? this.mediaLog : this.eventLog).get(e.node)?.push(this.describe(event));
        if (media) this.mediaTimes.get(e.node)?.push(e.t);
      },
    };
    this.world = new World<CallCommand, CallEvent>({
      seed: options.seed,
      network: options.network,
      ...(options.media === undefined ? {} : { media: options.media }),
      trace: [collector, ...(options.trace ?? [])],
    });
    for (const peer of peers) {
      this.eventLog.set(peer, []);
      this.mediaLog.set(peer, []);
      this.mediaTimes.set(peer, []);
      const plugin = options.puppets?.includes(peer) ? (puppet as unknown as CallProtocol) : options.protocol;
      const clock = options.clocks?.[peer];
      this.world.addNode(peer, plugin, { start: !options.offline?.includes(peer), ...(clock === undefined ? {} : { clock }) });
    }
    for (const l of options.links ?? []) this.world.setLink(l.from, l.to, l.settings, { ...(l.channel ? { channel: l.channel } : {}), ...(l.bothWays ? { bothWays: true } : {}) });
  }

  /** Schedule every step of a script. */
  script(steps: readonly Step[]): this {
    for (const [at, node, action] of steps) {
      this.world.at(at, () => this.outcomes.push({ at, node, action: action.type, outcome: this.apply(node, action) }));
    }
    return this;
  }

  /** Run until simulated time `t`. */
  until(t: number): this {
    this.world.runUntil(t);
    return this;
  }

  /** Make `node` do `action` now. */
  apply(node: PeerId, action: Action): Outcome {
    const w = this.world;
    switch (action.type) {
      case 'crash':
        return w.crash(node), OK;
      case 'restart':
        return w.restart(node), OK;
      case 'pause':
        return w.pause(node), OK;
      case 'resume':
        return w.resume(node), OK;
      case 'partition':
        return action.oneWay ? w.partitionOneWay(node, action.from) : w.partition(node, action.from), OK;
      case 'heal':
        return action.with === undefined ? w.heal() : w.heal(node, action.with), OK;
      case 'hold':
        return w.hold(node, action.to, action.channel === undefined ? {} : { channel: action.channel }), OK;
      case 'release':
        return w.release(node, action.to, action.channel === undefined ? {} : { channel: action.channel }), OK;
      case 'clock': {
        const { type: _type, ...setting } = action;
        return w.setClock(node, setting), OK;
      }
      case 'set-link':
        return w.setLink(node, action.to, action.settings, { ...(action.channel ? { channel: action.channel } : {}), ...(action.bothWays ? { bothWays: true } : {}) }), OK;
      case 'forge':
        return w.command(node, { to: action.to, bytes: action.bytes(this) } as unknown as CallCommand);
      case 'dial': {
        const outcome = w.command(node, { type: 'dial', peers: action.peers });
        if (outcome.ok) this.label((outcome.value as CallView).callId);
        return outcome;
      }
      case 'mute':
      case 'deafen':
      case 'list':
        return w.command(node, action);
      case 'join':
      case 'reject':
      case 'get': {
        const callId = this.resolve(node, action.call);
        return callId === undefined ? NO_CALL : w.command(node, { type: action.type, callId });
      }
      case 'leave': {
        if (action.call === undefined) return w.command(node, { type: 'leave' });
        const callId = this.resolve(node, action.call);
        return callId === undefined ? NO_CALL : w.command(node, { type: 'leave', callId });
      }
    }
  }

  /** The real id behind a call reference, for `node`. */
  resolve(node: PeerId, ref: CallRef): string | undefined {
    if (typeof ref === 'string') return this.ids.get(ref) ?? ref;
    const calls = this.views(node);
    return calls.length === 0 ? undefined : calls[((ref % calls.length) + calls.length) % calls.length]!.callId;
  }

  /** The real id of call `label`. */
  id(label: string): string {
    const id = this.ids.get(label);
    if (id === undefined) throw new Error(`no call labelled ${label}`);
    return id;
  }

  /** The label of a call id (assigned on first sight). */
  label(id: string): string {
    let label = this.labels.get(id);
    if (label === undefined) {
      label = `c${this.labels.size + 1}`;
      this.labels.set(id, label);
      this.ids.set(label, id);
    }
    return label;
  }

  /** Every call `node` knows, as it sees them (untraced query); empty when the node is down. */
  views(node: PeerId): CallView[] {
    const outcome = this.world.host(node).query({ type: 'list' });
    return outcome?.ok ? (outcome.value as CallView[]) : [];
  }

  /** `node`'s view of call `label`. */
  view(node: PeerId, label: string): CallView {
    const id = this.id(label);
    const view = this.views(node).find((v) => v.callId === id);
    if (view === undefined) throw new Error(`${node} does not know ${label}`);
    return view;
  }

  /** Membership as `node` sees call `label`: `alice:joined bob:left+m …` (+m muted, +d deafened). */
  membership(node: PeerId, label: string): string {
    return this.view(node, label)
      .participants.map((p) => `${p.peer}:${p.status}${p.muted ? '+m' : ''}${p.deafened ? '+d' : ''}`)
      .join(' ');
  }

  /** Every call event `node` emitted, compact and in order (media events apart: see `mediaEvents`). */
  events(node: PeerId): string[] {
    return [...(this.eventLog.get(node) ?? [])];
  }

  /** Every media event `node` emitted (channels opening and closing, degradation warnings). */
  mediaEvents(node: PeerId): string[] {
    return [...(this.mediaLog.get(node) ?? [])];
  }

  /** Simulated times at which `node` emitted the media event `compact` (as `mediaEvents` writes it). */
  mediaEventTimes(node: PeerId, compact: string): number[] {
    const log = this.mediaLog.get(node) ?? [];
    const times = this.mediaTimes.get(node) ?? [];
    return log.flatMap((e, i) => (e === compact ? [times[i]!] : []));
  }

  /** What `node` sends to and hears from each peer of its active call (untraced query). */
  media(node: PeerId): MediaView[] {
    const outcome = this.world.host(node).query({ type: 'media' });
    return outcome?.ok ? (outcome.value as MediaView[]) : [];
  }

  /** Every node's events. */
  allEvents(): Record<PeerId, string[]> {
    return Object.fromEntries(this.peers.map((p) => [p, this.events(p)]));
  }

  /** One event in the compact form. */
  describe(e: CallEvent): string {
    const c = this.label(e.callId);
    const flags = (p: { muted: boolean; deafened: boolean }) => (p.muted ? '+m' : '') + (p.deafened ? '+d' : '');
    switch (e.type) {
      case 'incoming':
        return `incoming ${c} from ${e.initiator}`;
      case 'ring-timeout':
      case 'pending':
      case 'cancelled':
      case 'missed':
        return `${e.type} ${c}`;
      case 'joined':
        return `joined ${c} [${e.call.participants.filter((p) => p.status === 'joined').map((p) => p.peer + flags(p)).join(' ')}]`;
      case 'left':
        return `left ${c} (${e.reason})`;
      case 'participant-joined':
        return `+${e.peer}${flags(e)}`;
      case 'participant-left':
        return `-${e.peer} (${e.status})`;
      case 'participant-state':
        return `${e.peer}${e.muted ? ' muted' : ' unmuted'}${e.deafened ? ' deafened' : ''}`;
      case 'media-open':
      case 'media-closed':
        return `${e.type} ${c} ${e.peer}`;
      case 'degradation-likely':
        return `degradation-likely ${c} ${e.peer} (${e.cause})`;
    }
  }
}

