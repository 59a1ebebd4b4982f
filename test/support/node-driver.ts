/**
 * Drives one reference-protocol node directly, without the simulator: every input carries an explicit
 * local time, every output is drained at once, and outputs and call views are rendered as compact but
 * exact strings (`send bob state G joined v1`, `set ring/G @30000`, `event left c1 (restart)`) so a
 * test can assert whole output sequences. Calls appear under short names: the ones a test declares
 * with `call`, and `c1`, `c2`, … for the others in the order they are first seen. A state message whose
 * description differs from the one its name stands for is shown in full.
 */
import type { CallCommand, CallEvent, CallView, NodeStats } from '../../protocol/api.ts';
import { sameInfo } from '../../protocol/call-record.ts';
import type { ProtocolConfig } from '../../protocol/config.ts';
import { assertNever, type Channel, type Millis, type NodeContext, type NodeInput, type NodeOutput, type Outcome, type PeerId } from '../../protocol/contract.ts';
import { CallNode } from '../../protocol/node.ts';
import { parseTimer } from '../../protocol/timers.ts';
import { decodeMessage, encodeMessage, type CallId, type CallInfo, type MemberStatus, type WireMessage } from '../../protocol/wire.ts';

/** One input's answer and everything the node emitted for it. */
export interface Step {
  readonly outcome: Outcome;
  readonly outputs: NodeOutput<CallEvent>[];
}

/** Feed `input` to `node` and drain every output. */
export function drive(node: CallNode, input: NodeInput<CallCommand>): Step {
  const outcome = node.handle(input);
  const outputs: NodeOutput<CallEvent>[] = [];
  for (let output = node.pollOutput(); output !== undefined; output = node.pollOutput()) outputs.push(output);
  return { outcome, outputs };
}

/** A `state` message: the sender's register in `call`. */
export function stateMessage(call: CallInfo, status: Exclude<MemberStatus, 'invited'>, version: number, flags: { muted?: boolean; deafened?: boolean } = {}): Extract<WireMessage, { type: 'state' }> {
  return { type: 'state', call, register: { status, muted: flags.muted ?? false, deafened: flags.deafened ?? false, version } };
}

/** An `ack` message. */
export function ackMessage(callId: CallId, version: number): Extract<WireMessage, { type: 'ack' }> {
  return { type: 'ack', callId, version };
}

/** A step with its outputs rendered. */
export interface Rendered extends Step {
  readonly lines: string[];
}

const NO_LIMITS = { maxMessageBytes: Infinity, maxParticipants: Infinity };

/** One node, its clock and its call names. */
export class NodeDriver {
  /** The node under test (replaced by `restart`). */
  node: CallNode;
  private readonly context: NodeContext;
  private now: Millis = 0;
  private readonly names = new Map<CallId, { name: string; info: CallInfo | undefined }>();
  private unnamed = 0;
  /** Timers the node has armed and not cancelled: name → deadline (cleared by a restart). */
  readonly armed = new Map<string, Millis>();
  /** Called after every input except queries. */
  observe: ((step: Rendered) => void) | undefined;

  /**
   * A node `id` whose random source counts 1, 2, 3, … (so its first call id is `0000000100000002`).
   * The media plane is off unless `config.audio` says otherwise: these tests read signaling outputs.
   */
  constructor(
    readonly id: PeerId = 'alice',
    config: Partial<ProtocolConfig> = {},
  ) {
    this.config = { audio: false, ...config };
    let draws = 0;
    this.context = { id, random: { nextUint32: () => ++draws } };
    this.node = new CallNode(this.context, this.config);
  }

  /** The node's protocol constants. */
  readonly config: Partial<ProtocolConfig>;

  /** Give `info` the short name `name` in rendered output. */
  call(name: string, info: CallInfo): CallInfo {
    this.names.set(info.id, { name, info });
    return info;
  }

  /** The real id of the call shown as `name`. */
  idOf(name: string): CallId {
    for (const [id, entry] of this.names) if (entry.name === name) return id;
    throw new Error(`no call named ${name}`);
  }

  /** A driver for the same identity and call names whose node has not started yet (see `restart`). */
  fork(): NodeDriver {
    const fork = new NodeDriver(this.id, this.config);
    for (const [id, entry] of this.names) fork.names.set(id, { ...entry });
    fork.unnamed = this.unnamed;
    return fork;
  }

  /** Feed any input. */
  input(input: NodeInput<CallCommand>): Rendered {
    const step = this.run(input);
    for (const o of step.outputs) {
      if (o.type === 'setTimer') this.armed.set(o.timer, o.at);
      else if (o.type === 'cancelTimer') this.armed.delete(o.timer);
    }
    this.observe?.(step);
    return step;
  }

  command(now: Millis, command: CallCommand): Rendered {
    return this.input({ type: 'command', now, command });
  }

  receive(now: Millis, from: PeerId, message: WireMessage | Uint8Array, channel: Channel = 'signaling'): Rendered {
    return this.input({ type: 'receive', now, from, channel, bytes: message instanceof Uint8Array ? message : encodeMessage(message) });
  }

  timer(now: Millis, timer: string): Rendered {
    return this.input({ type: 'timer', now, timer });
  }

  /** Turn the app off and on: a fresh node (same identity and random stream) started from `snapshot`. */
  restart(now: Millis, snapshot: Uint8Array | undefined): Rendered {
    this.node = new CallNode(this.context, this.config);
    this.armed.clear();
    return this.input({ type: 'start', now, snapshot });
  }

  /** Fire every armed timer due by `until`, earliest first; the steps, in order. */
  advance(until: Millis): Rendered[] {
    const steps: Rendered[] = [];
    for (;;) {
      let due: [string, Millis] | undefined;
      for (const entry of this.armed) if (entry[1] <= until && (due === undefined || entry[1] < due[1])) due = entry;
      if (due === undefined) return steps;
      this.armed.delete(due[0]);
      steps.push(this.timer(Math.max(due[1], this.now), due[0]));
    }
  }

  /** Answer a query, which must succeed without output. */
  query(command: CallCommand): unknown {
    const step = this.run({ type: 'command', now: this.now, command });
    if (!step.outcome.ok || step.outputs.length > 0) throw new Error(`query ${command.type}: ${JSON.stringify(step.outcome)}, ${step.lines.join('; ')}`);
    return step.outcome.value;
  }

  /** The `list` answer. */
  views(): CallView[] {
    return this.query({ type: 'list' }) as CallView[];
  }

  /** The `list` answer, rendered. */
  list(): string[] {
    return this.views().map((v) => this.view(v));
  }

  /** The `get` answer for the call named `name`, rendered. */
  get(name: string): string {
    return this.view(this.query({ type: 'get', callId: this.idOf(name) }) as CallView);
  }

  stats(): NodeStats {
    return this.query({ type: 'stats' }) as NodeStats;
  }

  /** A call view: `G group by carol self=joined [carol:joined/v1 alice:joined+muted/v2 bob:invited/v0] active`. */
  view(v: CallView): string {
    const people = v.participants.map((p) => `${p.peer}:${p.status}${p.muted ? '+muted' : ''}${p.deafened ? '+deaf' : ''}/v${p.version}`);
    const flags = (['active', 'pending', 'ringing', 'ended'] as const).filter((f) => v[f]).map((f) => ` ${f}`);
    const merged = v.mergedInto === undefined ? '' : ` merged-into ${this.label(v.mergedInto)}`;
    return `${this.label(v.callId)} ${v.kind} by ${v.initiator} self=${v.self} [${people.join(' ')}]${flags.join('')}${merged}`;
  }

  /** A wire message: `state G left muted v2`, `ack G v2`, or `?checksum` when the codec refuses it. */
  message(bytes: Uint8Array): string {
    const decoded = decodeMessage(bytes, NO_LIMITS);
    if (!decoded.ok) return `?${decoded.error.code}`;
    const m = decoded.message;
    if (m.type === 'ack') return `ack ${this.label(m.callId)} v${m.version}`;
    const r = m.register;
    return `state ${this.describeCall(m.call)} ${r.status}${r.muted ? ' muted' : ''}${r.deafened ? ' deaf' : ''} v${r.version}`;
  }

  private run(input: NodeInput<CallCommand>): Rendered {
    this.now = input.now;
    const step = drive(this.node, input);
    return { ...step, lines: step.outputs.map((o) => this.output(o)) };
  }

  private output(o: NodeOutput<CallEvent>): string {
    switch (o.type) {
      case 'send':
        return `send ${o.to}${o.channel === 'signaling' ? '' : ` ${o.channel}`} ${this.message(o.bytes)}`;
      case 'setTimer':
        return `set ${this.timerName(o.timer)} @${o.at}`;
      case 'cancelTimer':
        return `cancel ${this.timerName(o.timer)}`;
      case 'event':
        return `event ${this.event(o.event)}`;
      case 'persist':
        return 'persist';
      default:
        return assertNever(o);
    }
  }

  private event(e: CallEvent): string {
    const c = this.label(e.callId);
    switch (e.type) {
      case 'incoming':
        return `incoming ${c} from ${e.initiator} ${e.kind} [${e.participants.join(' ')}]`;
      case 'ring-timeout':
      case 'pending':
      case 'cancelled':
        return `${e.type} ${c}`;
      case 'missed':
        return `missed ${c} from ${e.initiator}`;
      case 'joined':
        return `joined ${this.view(e.call)}`;
      case 'left':
        return `left ${c} (${e.reason})`;
      case 'participant-joined':
      case 'participant-state':
        return `${e.type} ${c} ${e.peer}${e.muted ? ' muted' : ''}${e.deafened ? ' deaf' : ''}`;
      case 'participant-left':
        return `participant-left ${c} ${e.peer} (${e.status})`;
      case 'media-open':
      case 'media-closed':
      case 'degradation-likely':
        return `${e.type} ${c} ${e.peer}`;
      default:
        return assertNever(e);
    }
  }

  private timerName(name: string): string {
    const timer = parseTimer(name);
    return timer === undefined || !('callId' in timer) ? name : `${timer.kind}/${this.label(timer.callId)}`;
  }

  /** The call's short name, or its full description when it differs from the one the name stands for. */
  private describeCall(info: CallInfo): string {
    const name = this.label(info.id);
    const entry = this.names.get(info.id)!;
    entry.info ??= info;
    return sameInfo(entry.info, info) ? name : `${name}${JSON.stringify(info)}`;
  }

  private label(id: CallId): string {
    let entry = this.names.get(id);
    if (entry === undefined) {
      entry = { name: `c${++this.unnamed}`, info: undefined };
      this.names.set(id, entry);
    }
    return entry.name;
  }
}
