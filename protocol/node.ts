/**
 * The reference call protocol node: one user's app, managing every call that user knows of.
 *
 * Theory of operation. Each participant owns one register per call (status, mute, deafen, version);
 * only the owner writes it, and every change bumps the version (R4, R10, R13). A change is pushed as a
 * `state` message to every other participant who has not rejected the call, and resent with
 * exponential backoff until that peer acknowledges the version (R3): the first push of the caller's
 * register is the offer, and it reaches a peer that comes online later. Receivers merge by version and
 * always answer with an `ack`, so loss, duplication and reordering are harmless. While in a call, the
 * node also re-pushes its register to the others every `antiEntropyMs`. After every change the
 * call's derived state (call-record.ts) is compared with what the application was last told, and the
 * difference becomes events: incoming / pending / cancelled / missed for calls the node is not in,
 * participant events for the active call (R12). Rules that act on their own:
 * - at most one active call: joining or dialing leaves the current call first (R11);
 * - a direct call ends when either side leaves or rejects it, and the other side leaves too (R6);
 * - dial glare: two direct calls between the same two peers, both unanswered, collapse into the one
 *   with the smaller id (R11);
 * - a restarted app is no longer in the call it was in: it leaves it (R7), and can join again;
 * - a call nobody is in (or that this node rejected) is forgotten after `pruneAfterMs`, once its
 *   retransmissions are done, leaving a tombstone that answers late messages (R8, R14) and brings the
 *   call back if one shows that someone is in it after all.
 * While in a call (and `audio` is on), the media plane (media-plane.ts) keeps a media channel to every
 * other participant, with the time sync, audio frames and a playout controller per stream.
 * Everything durable is persisted after every input that changed it. Local misuse is refused with a
 * typed error before anything changes; remote violations are counted and ignored; nothing throws.
 */
import type { CallCommand, CallEvent, CallView, LeaveReason, MisuseCode, NodeStats } from './api.ts';
import { joinedPeers, kindOf, newCallRecord, registerOf, RULES, sameInfo, viewOf as view, type CallRecord, type CallRules } from './call-record.ts';
import { resolveConfig, type ProtocolConfig } from './config.ts';
import { assertNever, OK, type Channel, type Millis, type NodeContext, type NodeInput, type NodeOutput, type Outcome, type PeerId, type ProtocolNode } from './contract.ts';
import { PLAYOUT_ALGORITHMS, playoutNamed, type PlayoutAlgorithm } from './media/index.ts';
import { MediaPlane } from './media-plane.ts';
import { OutputQueue } from './output-queue.ts';
import { decodeSnapshot, encodeSnapshot, restoreCall, storeCall, type DurableState } from './snapshot.ts';
import { callTimer, parseTimer } from './timers.ts';
import { decodeMessage, encodeMessage, type CallId, type CallInfo, type Register, type WireMessage } from './wire.ts';

const PEER_ID = /^[\x21-\x7e]{1,64}$/;

/** One node of the reference call protocol. */
export class CallNode implements ProtocolNode<CallCommand, CallEvent> {
  /** The derivation rules (call-record.ts); a protocol variant may replace one. */
  protected rules: CallRules = RULES;
  protected readonly config: ProtocolConfig;
  protected readonly self: PeerId;
  protected state: DurableState = { muted: false, deafened: false, calls: new Map(), tombstones: new Map() };
  private readonly outputs = new OutputQueue<NodeOutput<CallEvent>>();
  private now: Millis = 0;
  private dirty = false;
  private antiEntropyArmed = false;
  /** The media plane (undefined when `audio` is off). */
  protected readonly media: MediaPlane | undefined;
  private mediaTickAt: Millis | undefined;
  /** The outgoing stream (`MediaPlane.streamsStarted`) the frame tick was armed for. */
  private mediaTickStream = 0;
  private syncAt: Millis | undefined;
  private readonly idleSince = new Map<CallId, Millis>();
  /**
   * Per forgotten call (tombstone), the versions of this node's register each peer has acknowledged
   * (volatile: after a restart a peer is told once more). A forgotten call answers a state with its own
   * only while the sender has not acknowledged it, so two nodes that both forgot a call do not answer
   * each other's answers forever (and, with duplication, exponentially).
   */
  private readonly forgottenAcked = new Map<CallId, Map<PeerId, number>>();
  private readonly violations: Record<string, number> = {};
  private readonly malformed: Record<string, number> = {};

  /** A node for `context.id`, with protocol constants `config` (defaults documented in config.ts), `config.playout` naming one of `playouts`. */
  constructor(
    private readonly context: NodeContext,
    config: Partial<ProtocolConfig> = {},
    playouts: readonly PlayoutAlgorithm[] = PLAYOUT_ALGORITHMS,
  ) {
    this.config = resolveConfig(config, playouts);
    this.self = context.id;
    const out = { send: (to: PeerId, bytes: Uint8Array) => this.sendMedia(to, bytes), event: (e: CallEvent) => this.event(e) };
    this.media = this.config.audio ? new MediaPlane(this.self, this.config, out, playoutNamed(this.config.playout, playouts)) : undefined;
  }

  handle(input: NodeInput<CallCommand>): Outcome {
    this.now = input.now;
    let outcome: Outcome;
    switch (input.type) {
      case 'start':
        outcome = this.start(input.snapshot);
        break;
      case 'command':
        outcome = this.command(input.command);
        break;
      case 'receive':
        outcome = this.receive(input.from, input.channel, input.bytes);
        break;
      case 'timer':
        outcome = this.timer(input.timer);
        break;
      default:
        return assertNever(input);
    }
    // Membership changes only on commands, signaling and restarts: media packets and timers leave it be.
    if (this.media !== undefined && input.type !== 'timer' && !(input.type === 'receive' && input.channel === 'media')) this.syncMedia();
    if (this.dirty) {
      this.dirty = false;
      this.emit({ type: 'persist', snapshot: encodeSnapshot(this.state) });
    }
    return outcome;
  }

  pollOutput(): NodeOutput<CallEvent> | undefined {
    return this.outputs.poll();
  }

  // ---- inputs -----------------------------------------------------------------------------------

  protected start(snapshot: Uint8Array | undefined): Outcome {
    if (snapshot === undefined) return OK;
    const restored = decodeSnapshot(snapshot);
    if (restored === undefined) return misuse('bad-command', 'the persisted snapshot cannot be read; starting empty');
    this.state = restored;
    for (const call of this.state.calls.values()) {
      if (registerOf(call, this.self).status === 'joined') this.leaveCall(call, 'restart');
      else if (registerOf(call, this.self).version > 0) this.pushRegister(call);
      this.reconcile(call);
    }
    return OK;
  }

  protected receive(from: PeerId, channel: Channel, bytes: Uint8Array): Outcome {
    if (channel === 'media') {
      if (this.media === undefined) return this.violation('wrong-channel', `message from ${from} on the media channel`);
      const error = this.media.receive(from, bytes, this.now);
      this.mediaTimers();
      return error === undefined ? OK : { ok: false, error: { code: error, message: `media packet from ${from} refused` } };
    }
    const decoded = decodeMessage(bytes, this.config);
    if (!decoded.ok) {
      this.malformed[decoded.error.code] = (this.malformed[decoded.error.code] ?? 0) + 1;
      return { ok: false, error: decoded.error };
    }
    const message = decoded.message;
    switch (message.type) {
      case 'state':
        return this.onState(from, message.call, message.register);
      case 'ack':
        return this.onAck(from, message.callId, message.version);
      default:
        return assertNever(message);
    }
  }

  protected timer(name: string): Outcome {
    const timer = parseTimer(name);
    if (timer === undefined) return OK;
    switch (timer.kind) {
      case 'antiEntropy':
        this.antiEntropyArmed = false;
        this.antiEntropy();
        return OK;
      case 'mediaTick':
        this.mediaTickAt = undefined;
        if (this.media !== undefined) this.media.tick(this.now), this.mediaTimers();
        return OK;
      case 'timeSync':
        this.syncAt = undefined;
        if (this.media !== undefined) this.media.syncTimer(this.now), this.mediaTimers();
        return OK;
    }
    const call = this.state.calls.get(timer.callId);
    if (call === undefined) return OK;
    switch (timer.kind) {
      case 'retransmit':
        this.retransmit(call);
        break;
      case 'ring':
        if (call.ringing) {
          call.ringing = false;
          this.event({ type: 'ring-timeout', callId: call.info.id });
        }
        break;
      case 'prune':
        this.prune(call);
        break;
      default:
        return assertNever(timer);
    }
    return OK;
  }

  // ---- user commands ----------------------------------------------------------------------------

  protected command(command: CallCommand): Outcome {
    if (typeof command !== 'object' || command === null) return misuse('bad-command', 'a command must be an object with a type');
    switch (command.type) {
      case 'dial':
        return this.dial(command.peers);
      case 'join': {
        const call = this.findCall(command.callId);
        if (!('info' in call)) return call;
        const refusal = this.joinRefusal(call);
        if (refusal !== undefined) return refusal;
        this.joinCall(call);
        return { ok: true, value: this.viewOf(call, this.self) };
      }
      case 'reject': {
        const call = this.findCall(command.callId);
        if (!('info' in call)) return call;
        const mine = registerOf(call, this.self).status;
        if (mine === 'joined') return misuse('in-call', `leave ${call.info.id} before rejecting it`);
        if (mine === 'rejected') return misuse('already-rejected', `${call.info.id} is already rejected`);
        this.bump(call, { status: 'rejected' });
        this.reconcile(call);
        return OK;
      }
      case 'leave': {
        const call = command.callId === undefined ? this.activeCall() : this.findCall(command.callId);
        if (call === undefined) return misuse('not-in-call', 'not in a call');
        if (!('info' in call)) return call;
        if (registerOf(call, this.self).status !== 'joined') return misuse('not-in-call', `not in ${call.info.id}`);
        this.leaveCall(call, 'user');
        this.reconcile(call);
        return OK;
      }
      case 'mute':
      case 'deafen': {
        const key = command.type === 'mute' ? 'muted' : 'deafened';
        const value = command.type === 'mute' ? command.muted : command.deafened;
        if (typeof value !== 'boolean') return misuse('bad-command', `${command.type} needs a boolean ${key}`);
        if (this.state[key] !== value) {
          this.state[key] = value;
          this.dirty = true;
          const active = this.activeCall();
          if (active !== undefined) {
            this.bump(active, { [key]: value });
            this.reconcile(active);
          }
        }
        return OK;
      }
      case 'list':
        return { ok: true, value: [...this.state.calls.values()].map((c) => this.viewOf(c, this.self)) };
      case 'get': {
        const call = this.findCall(command.callId);
        return 'info' in call ? { ok: true, value: this.viewOf(call, this.self) } : call;
      }
      case 'media':
        return { ok: true, value: this.media?.view(this.now) ?? [] };
      case 'stats': {
        const stats: NodeStats = { calls: this.state.calls.size, tombstones: this.state.tombstones.size, violations: { ...this.violations }, malformed: { ...this.malformed } };
        return { ok: true, value: stats };
      }
      default:
        return misuse('bad-command', `unknown command ${JSON.stringify((command as { type?: unknown }).type)}`);
    }
  }

  protected dial(peers: unknown): Outcome {
    if (!Array.isArray(peers) || !peers.every((p): p is PeerId => typeof p === 'string' && PEER_ID.test(p))) {
      return misuse('bad-command', 'dial needs a list of peer ids (1 to 64 printable characters)');
    }
    if (peers.length === 0) return misuse('no-peers', 'dial needs at least one peer');
    if (peers.includes(this.self)) return misuse('self-dial', 'a node cannot dial itself');
    if (new Set(peers).size !== peers.length) return misuse('duplicate-peer', 'a peer is listed twice');
    if (peers.length + 1 > this.config.maxParticipants) return misuse('too-many-peers', `at most ${this.config.maxParticipants - 1} peers`);
    // Dialing someone whose direct call to us is pending answers it instead of making a second call;
    // so does one that lost a glare tie-break to a call of ours they never joined (they are still in
    // theirs, waiting: a second call of ours would only glare with it again, and lose at their end).
    if (peers.length === 1) {
      const peer = peers[0]!;
      const theirs = [...this.state.calls.values()].find(
        (c) =>
          kindOf(c.info) === 'direct' &&
          c.info.participants.includes(peer) &&
          (this.rules.isPending(c, this.self) || (c.mergedInto !== null && c.info.initiator === peer && registerOf(c, peer).status === 'joined' && this.joinRefusal(c) === undefined)),
      );
      if (theirs !== undefined) {
        theirs.mergedInto = null;
        this.joinCall(theirs);
        return { ok: true, value: this.viewOf(theirs, this.self) };
      }
    }
    const id = this.newCallId();
    const call = newCallRecord({ id, initiator: this.self, participants: [this.self, ...peers] });
    call.announced = true;
    this.state.calls.set(id, call);
    this.joinCall(call);
    return { ok: true, value: this.viewOf(call, this.self) };
  }

  protected joinRefusal(call: CallRecord): Outcome | undefined {
    const mine = registerOf(call, this.self).status;
    if (mine === 'joined') return misuse('already-joined', `already in ${call.info.id}`);
    if (mine === 'rejected') return misuse('call-rejected', `${call.info.id} was rejected`);
    if (this.rules.hasEnded(call)) return misuse('call-ended', `the direct call ${call.info.id} has ended`);
    return undefined;
  }

  // ---- messages ---------------------------------------------------------------------------------

  protected onState(from: PeerId, info: CallInfo, register: Register): Outcome {
    if (!info.participants.includes(from)) return this.violation('sender-not-invited', `${from} is not invited to ${info.id}`);
    if (!info.participants.includes(this.self)) return this.violation('not-invited', `${this.self} is not invited to ${info.id}`);
    const tombstone = this.state.tombstones.get(info.id);
    if (tombstone !== undefined && tombstone.until > this.now) {
      if (!sameInfo(tombstone.call.info, info)) return this.violation('call-mismatch', `${from} described ${info.id} differently`);
      // A forgotten call is still kept up to date, so that if it comes back it comes back right.
      const forgotten = restoreCall(tombstone.call);
      for (const [peer, version] of this.forgottenAcked.get(info.id) ?? []) forgotten.acked.set(peer, version);
      const news = this.rules.isNewer(forgotten, from, register);
      if (news) forgotten.registers.set(from, register);
      if (news && register.status === 'joined') {
        // Someone is in the call after all (this node forgot it on stale news): it comes back.
        this.state.tombstones.delete(info.id);
        this.forgottenAcked.delete(info.id);
        this.state.calls.set(info.id, forgotten);
      } else {
        // Stop the sender's retries and tell it where this node stands.
        if (news) {
          this.state.tombstones.set(info.id, { call: storeCall(forgotten), until: tombstone.until });
          this.dirty = true;
        }
        const mine = registerOf(forgotten, this.self);
        this.send(from, { type: 'ack', callId: info.id, version: register.version });
        if (mine.version > (forgotten.acked.get(from) ?? 0)) this.send(from, { type: 'state', call: info, register: mine });
        return OK;
      }
    }
    let call = this.state.calls.get(info.id);
    const isNew = call === undefined;
    if (call === undefined) {
      call = newCallRecord(info);
      this.state.calls.set(info.id, call);
    } else if (!sameInfo(call.info, info)) {
      return this.violation('call-mismatch', `${from} described ${info.id} differently`);
    }
    if (this.rules.isNewer(call, from, register)) {
      call.registers.set(from, register);
      this.dirty = true;
      if (register.status === 'rejected' && call.retries.delete(from)) this.armRetransmit(call);
    }
    this.send(from, { type: 'ack', callId: info.id, version: registerOf(call, from).version });
    if (isNew) {
      this.dirty = true;
      this.resolveGlare(call);
    }
    this.reconcile(call);
    return OK;
  }

  protected onAck(from: PeerId, callId: CallId, version: number): Outcome {
    const call = this.state.calls.get(callId);
    if (call === undefined) {
      const tombstone = this.state.tombstones.get(callId);
      if (tombstone === undefined || tombstone.until <= this.now || !tombstone.call.info.participants.includes(from)) return OK;
      let acked = this.forgottenAcked.get(callId);
      if (acked === undefined) this.forgottenAcked.set(callId, (acked = new Map())); // a tombstone from before a restart
      if (version > (acked.get(from) ?? 0)) acked.set(from, version);
      return OK;
    }
    if (!call.info.participants.includes(from)) return this.violation('sender-not-invited', `${from} is not invited to ${callId}`);
    if (version > (call.acked.get(from) ?? 0)) call.acked.set(from, version);
    if (version >= registerOf(call, this.self).version && call.retries.delete(from)) this.armRetransmit(call);
    return OK;
  }

  /** Two unanswered direct calls between the same two peers: both sides keep the one with the smaller id. */
  protected resolveGlare(incoming: CallRecord): void {
    if (kindOf(incoming.info) !== 'direct') return;
    const other = incoming.info.participants.find((p) => p !== this.self)!;
    for (const mine of this.state.calls.values()) {
      if (
        mine === incoming ||
        kindOf(mine.info) !== 'direct' ||
        mine.info.initiator !== this.self ||
        !mine.info.participants.includes(other) ||
        registerOf(mine, this.self).status !== 'joined' ||
        registerOf(mine, other).status !== 'invited'
      ) {
        continue;
      }
      if (incoming.info.id < mine.info.id) {
        mine.mergedInto = incoming.info.id;
        this.joinCall(incoming, 'merged');
      } else {
        incoming.mergedInto = mine.info.id;
      }
      return;
    }
  }

  // ---- membership changes -----------------------------------------------------------------------

  protected joinCall(call: CallRecord, switchReason: LeaveReason = 'switched'): void {
    const active = this.activeCall();
    if (active !== undefined && active !== call) {
      this.leaveCall(active, switchReason);
      this.reconcile(active);
    }
    this.bump(call, { status: 'joined', muted: this.state.muted, deafened: this.state.deafened });
    call.everJoined = true;
    this.stopRinging(call);
    call.shown.clear();
    for (const peer of joinedPeers(call)) {
      if (peer !== this.self) call.shown.set(peer, { muted: registerOf(call, peer).muted, deafened: registerOf(call, peer).deafened });
    }
    this.event({ type: 'joined', callId: call.info.id, call: this.viewOf(call, this.self) });
    this.armAntiEntropy();
    this.reconcile(call);
  }

  protected leaveCall(call: CallRecord, reason: LeaveReason): void {
    this.bump(call, { status: 'left' });
    call.shown.clear();
    this.event({ type: 'left', callId: call.info.id, reason });
  }

  /** Change this node's own register in `call` (a new version) and push it to everyone concerned. */
  protected bump(call: CallRecord, change: Partial<Omit<Register, 'version'>>): void {
    const old = registerOf(call, this.self);
    call.registers.set(this.self, { ...old, ...change, version: old.version + 1 });
    this.dirty = true;
    this.pushRegister(call);
  }

  /** Send this node's register to every participant who has not rejected the call, and schedule resends. */
  protected pushRegister(call: CallRecord): void {
    const register = registerOf(call, this.self);
    call.retries.clear();
    for (const peer of call.info.participants) {
      if (peer === this.self || registerOf(call, peer).status === 'rejected') continue;
      call.retries.set(peer, { backoffMs: this.config.retransmitInitialMs, nextAt: this.now + this.config.retransmitInitialMs });
      this.send(peer, { type: 'state', call: call.info, register });
    }
    this.armRetransmit(call);
  }

  protected retransmit(call: CallRecord): void {
    const register = registerOf(call, this.self);
    for (const [peer, retry] of call.retries) {
      if (retry.nextAt > this.now) continue;
      this.send(peer, { type: 'state', call: call.info, register });
      retry.backoffMs = Math.min(retry.backoffMs * this.config.retransmitBackoff, this.config.retransmitMaxMs);
      retry.nextAt = this.now + retry.backoffMs;
    }
    this.armRetransmit(call);
  }

  protected armRetransmit(call: CallRecord): void {
    const name = callTimer('retransmit', call.info.id);
    let next = Infinity;
    for (const retry of call.retries.values()) next = Math.min(next, retry.nextAt);
    this.emit(next === Infinity ? { type: 'cancelTimer', timer: name } : { type: 'setTimer', timer: name, at: next });
  }

  protected armAntiEntropy(): void {
    if (this.antiEntropyArmed) return;
    this.antiEntropyArmed = true;
    this.emit({ type: 'setTimer', timer: 'antiEntropy', at: this.now + this.config.antiEntropyMs });
  }

  protected antiEntropy(): void {
    const active = this.activeCall();
    if (active === undefined) return;
    this.sendAll(
      joinedPeers(active).filter((peer) => peer !== this.self),
      { type: 'state', call: active.info, register: registerOf(active, this.self) },
    );
    this.armAntiEntropy();
  }

  // ---- derived state → events -------------------------------------------------------------------

  /** Bring the application's picture of `call` up to date with its registers. */
  protected reconcile(call: CallRecord): void {
    const self = this.self;
    if (registerOf(call, self).status === 'joined') {
      this.reportParticipants(call);
      if (this.rules.hasEnded(call)) this.leaveCall(call, 'direct-ended');
    }
    const mine = registerOf(call, self).status;
    const pending = this.rules.isPending(call, self);
    if (pending && !call.pendingShown) {
      if (call.announced) {
        this.event({ type: 'pending', callId: call.info.id });
      } else {
        call.announced = true;
        this.event({ type: 'incoming', callId: call.info.id, initiator: call.info.initiator, kind: kindOf(call.info), participants: call.info.participants });
        call.ringing = true;
        this.emit({ type: 'setTimer', timer: callTimer('ring', call.info.id), at: this.now + this.config.ringTimeoutMs });
      }
    } else if (!pending && call.pendingShown) {
      this.stopRinging(call);
      if (mine !== 'joined' && mine !== 'rejected') {
        this.event({ type: 'cancelled', callId: call.info.id });
        this.reportMissed(call);
      }
    } else if (!pending && !call.announced && mine === 'invited' && call.mergedInto === null) {
      // Learned of the call only after it was over (e.g. offline throughout): missed, once the
      // caller's own register says it is no longer in it.
      const caller = registerOf(call, call.info.initiator);
      if (caller.version > 0 && caller.status !== 'joined') this.reportMissed(call);
    }
    if (call.pendingShown !== pending) {
      call.pendingShown = pending;
      this.dirty = true;
    }
    this.schedulePrune(call);
  }

  protected reportParticipants(call: CallRecord): void {
    const callId = call.info.id;
    for (const peer of call.info.participants) {
      if (peer === this.self) continue;
      const reg = registerOf(call, peer);
      const seen = call.shown.get(peer);
      if (reg.status === 'joined') {
        if (seen === undefined) {
          this.event({ type: 'participant-joined', callId, peer, muted: reg.muted, deafened: reg.deafened });
        } else if (seen.muted !== reg.muted || seen.deafened !== reg.deafened) {
          this.event({ type: 'participant-state', callId, peer, muted: reg.muted, deafened: reg.deafened });
        } else {
          continue;
        }
        call.shown.set(peer, { muted: reg.muted, deafened: reg.deafened });
      } else if (seen !== undefined) {
        call.shown.delete(peer);
        this.event({ type: 'participant-left', callId, peer, status: reg.status });
      }
    }
  }

  protected reportMissed(call: CallRecord): void {
    if (call.everJoined || call.missedEmitted || call.mergedInto !== null) return;
    call.missedEmitted = true;
    this.dirty = true;
    this.event({ type: 'missed', callId: call.info.id, initiator: call.info.initiator });
  }

  protected stopRinging(call: CallRecord): void {
    if (!call.ringing) return;
    call.ringing = false;
    this.emit({ type: 'cancelTimer', timer: callTimer('ring', call.info.id) });
  }

  // ---- forgetting -------------------------------------------------------------------------------

  protected schedulePrune(call: CallRecord): void {
    const id = call.info.id;
    const idle = this.rules.isIdle(call, this.self);
    if (idle && !this.idleSince.has(id)) {
      this.idleSince.set(id, this.now);
      this.emit({ type: 'setTimer', timer: callTimer('prune', id), at: this.now + this.config.pruneAfterMs });
    } else if (!idle && this.idleSince.delete(id)) {
      this.emit({ type: 'cancelTimer', timer: callTimer('prune', id) });
    }
  }

  protected prune(call: CallRecord): void {
    const id = call.info.id;
    const since = this.idleSince.get(id);
    if (since === undefined || !this.rules.isIdle(call, this.self)) return;
    // Retransmissions still owed: wait for them, but never longer than the tombstone time.
    if (call.retries.size > 0 && this.now - since < this.config.tombstoneMs) {
      this.emit({ type: 'setTimer', timer: callTimer('prune', id), at: this.now + this.config.pruneAfterMs });
      return;
    }
    this.idleSince.delete(id);
    this.state.calls.delete(id);
    for (const kind of ['retransmit', 'ring'] as const) this.emit({ type: 'cancelTimer', timer: callTimer(kind, id) });
    for (const [tid, t] of this.state.tombstones) {
      if (t.until > this.now) continue;
      this.state.tombstones.delete(tid);
      this.forgottenAcked.delete(tid);
    }
    this.state.tombstones.set(id, { call: storeCall(call), until: this.now + this.config.tombstoneMs });
    this.forgottenAcked.set(id, new Map(call.acked));
    this.dirty = true;
  }

  // ---- media -------------------------------------------------------------------------------------

  /** Open and close media channels to match the active call, and keep the media timers armed. */
  protected syncMedia(): void {
    const active = this.activeCall();
    this.media!.update(active?.info.id, this.mediaPeers(active), this.state.muted, this.state.deafened, this.now);
    this.mediaTimers();
  }

  /** The peers this node keeps a media channel to: the other joined participants of its active call. */
  protected mediaPeers(active: CallRecord | undefined): PeerId[] {
    return active === undefined ? [] : joinedPeers(active).filter((p) => p !== this.self);
  }

  /** Send a media packet (the media plane's sends come through here). */
  protected sendMedia(to: PeerId, bytes: Uint8Array): void {
    this.emit({ type: 'send', to, channel: 'media', bytes });
  }

  /** Keep the frame tick armed while any media channel is open, and the time-sync timer on its deadline. */
  private mediaTimers(): void {
    const media = this.media!;
    if (media.active && (this.mediaTickAt === undefined || this.mediaTickStream !== media.streamsStarted)) {
      // armed for each new outgoing stream too: a call switched within one input keeps channels open,
      // but its stream starts afresh, with its own media clock
      this.mediaTickAt = media.nextFrameAt(this.now);
      this.mediaTickStream = media.streamsStarted;
      this.emit({ type: 'setTimer', timer: 'mediaTick', at: this.mediaTickAt });
    } else if (!media.active && this.mediaTickAt !== undefined) {
      this.mediaTickAt = undefined;
      this.emit({ type: 'cancelTimer', timer: 'mediaTick' });
    }
    const sync = media.syncDeadline;
    if (sync !== (this.syncAt ?? Infinity)) {
      this.syncAt = sync === Infinity ? undefined : sync;
      this.emit(sync === Infinity ? { type: 'cancelTimer', timer: 'timeSync' } : { type: 'setTimer', timer: 'timeSync', at: sync });
    }
  }

  // ---- helpers ----------------------------------------------------------------------------------

  protected viewOf(call: CallRecord, self: PeerId): CallView {
    return view(call, self, this.rules);
  }

  protected activeCall(): CallRecord | undefined {
    for (const call of this.state.calls.values()) if (registerOf(call, this.self).status === 'joined') return call;
    return undefined;
  }

  protected findCall(callId: unknown): CallRecord | Outcome {
    if (typeof callId !== 'string') return misuse('bad-command', 'callId must be a string');
    return this.state.calls.get(callId) ?? misuse('call-not-found', `no call ${callId}`);
  }

  protected newCallId(): CallId {
    for (;;) {
      const hex = (n: number) => n.toString(16).padStart(8, '0');
      const id = hex(this.context.random.nextUint32()) + hex(this.context.random.nextUint32());
      if (!this.state.calls.has(id) && !this.state.tombstones.has(id)) return id;
    }
  }

  protected violation(code: string, message: string): Outcome {
    this.violations[code] = (this.violations[code] ?? 0) + 1;
    return { ok: false, error: { code, message } };
  }

  protected send(to: PeerId, message: WireMessage): void {
    this.emit({ type: 'send', to, channel: 'signaling', bytes: encodeMessage(message) });
  }

  /** `send` the same message to each of `peers`, encoded once (a send never changes its bytes). */
  protected sendAll(peers: readonly PeerId[], message: WireMessage): void {
    const bytes = encodeMessage(message);
    for (const to of peers) this.emit({ type: 'send', to, channel: 'signaling', bytes });
  }

  protected event(event: CallEvent): void {
    this.emit({ type: 'event', event });
  }

  protected emit(output: NodeOutput<CallEvent>): void {
    this.outputs.push(output);
  }
}

/** Read-only views used by the tests and tools: a call as `self` sees it. */
export type { CallView };

function misuse(code: MisuseCode, message: string): Outcome {
  return { ok: false, error: { code, message } };
}
