/**
 * Deliberately broken variants of the reference call protocol, to show what the fuzzer can and cannot find.
 *
 * Each variant is a small subclass of `CallNode` (or the reference node with one derivation rule of
 * `CallRules` swapped) that breaks ONE requirement the way a real developer might: a forgotten check, a
 * field that is not persisted, a shortcut on a rare path. The one-line comment above each says what the
 * developer did wrong and which requirement it breaks.
 *
 * `BROKEN_VARIANTS` are bugs the fuzzer catches; `UNCAUGHT_VARIANTS` are equally real bugs it does not
 * catch within the test's budget, each with the gap (a missing invariant or generator) that lets it
 * through. test/broken-variants.test.ts runs the fuzzer's properties against both lists.
 */
import type { CallCommand, CallEvent, LeaveReason, MediaView } from '../../protocol/api.ts';
import { joinedPeers, registerOf, RULES, type CallRecord, type CallRules } from '../../protocol/call-record.ts';
import type { ProtocolConfig } from '../../protocol/config.ts';
import { OK, type Channel, type NodeContext, type Outcome, type PeerId, type Protocol } from '../../protocol/contract.ts';
import { callsimPlayout } from '../../protocol/media/callsim-playout.ts';
import type { PlayoutController } from '../../protocol/media/playout.ts';
import { CallNode } from '../../protocol/node.ts';
import { decodeSnapshot, encodeSnapshot } from '../../protocol/snapshot.ts';
import { describeMessage, type Register } from '../../protocol/wire.ts';
import type { ProtocolChoice } from '../../scenarios/protocols.ts';

/** One broken variant: the requirement it breaks, the bug in words, and the protocol to fuzz. */
export interface BrokenVariant {
  /** Short kebab-case name (also the protocol's name in reports). */
  readonly name: string;
  /** The requirement it breaks (`R5`; `R4/R7` when one bug breaks two). */
  readonly breaks: string;
  /** What the developer did wrong, in one sentence. */
  readonly bug: string;
  readonly protocol: ProtocolChoice;
}

/** A variant the fuzzer does not catch, and why. */
export interface UncaughtVariant extends BrokenVariant {
  /** What is missing (invariant or generator), and what would catch it. */
  readonly gap: string;
}

type NodeClass = new (context: NodeContext, config?: Partial<ProtocolConfig>) => CallNode;

/** The variant `name`, whose nodes are `Node`. */
function variant(name: string, breaks: string, bug: string, Node: NodeClass): BrokenVariant {
  const make = (config: Partial<ProtocolConfig> | undefined): Protocol<CallCommand, CallEvent> => ({
    name,
    create: (context) => new Node(context, config ?? {}),
    describe: describeMessage,
  });
  return { name, breaks, bug, protocol: { name, source: `test/broken/variants.ts#${name}`, make } };
}

/** The reference node with some derivation rules replaced. */
function withRules(rules: Partial<CallRules>): NodeClass {
  return class extends CallNode {
    protected override rules: CallRules = { ...RULES, ...rules };
  };
}

/** The reference node that never leaves a call for `reason` (its events, register and push all skipped). */
function skipsLeave(reason: LeaveReason): NodeClass {
  return class extends CallNode {
    protected override leaveCall(call: CallRecord, why: LeaveReason): void {
      if (why !== reason) super.leaveCall(call, why);
    }
  };
}

/** The reference node that never tells its application `type`. */
function silences(type: CallEvent['type']): NodeClass {
  return class extends CallNode {
    protected override event(event: CallEvent): void {
      if (event.type !== type) super.event(event);
    }
  };
}

// ---- caught -------------------------------------------------------------------------------------

// Developer wrote "pending until someone leaves" instead of "pending while someone is in it" — breaks R5.
const PendingUntilFirstLeave = withRules({
  isPending: (call, self) => RULES.isPending(call, self) && !call.info.participants.some((p) => registerOf(call, p).status === 'left'),
});

// Developer did not persist the 'rejected' status (a restored rejecter is back to invited), so a restart undoes a rejection — breaks R8.
class ForgetsRejectionOnRestart extends CallNode {
  protected override start(snapshot: Uint8Array | undefined): Outcome {
    const state = snapshot === undefined ? undefined : decodeSnapshot(snapshot);
    if (state === undefined) return super.start(snapshot);
    for (const call of state.calls.values()) if (registerOf(call, this.self).status === 'rejected') call.registers.delete(this.self);
    return super.start(encodeSnapshot(state));
  }
}

// Developer dropped the version comparison ("the latest message wins"), so a late or duplicated old register undoes a newer one — breaks R4.
const NoVersionCheck = withRules({ isNewer: () => true });

// Developer treated a leave as a fire-and-forget "bye" (sent once, never retransmitted until acknowledged) — breaks R3.
class LeaveSentOnce extends CallNode {
  protected override pushRegister(call: CallRecord): void {
    super.pushRegister(call);
    if (registerOf(call, this.self).status !== 'left') return;
    call.retries.clear();
    this.armRetransmit(call);
  }
}

// Developer marks the direct call ended but never makes the remaining side leave it — breaks R6.
const DirectCallNeverEnds = skipsLeave('direct-ended');

// Developer skipped the leave on a switch ("the user only changed which call is shown"), so joining or dialing keeps the current call — breaks R11.
const JoinKeepsCurrentCall = skipsLeave('switched');

// Developer never wrote the dial-glare tie-break (an incoming direct call is just another incoming call) — breaks R11.
class NoGlareResolution extends CallNode {
  protected override resolveGlare(): void {}
}

// Developer reset `everJoined` on leave, mistaking it for "currently joined", so a call it left that then empties is reported missed — breaks R9.
class MissedAfterJoining extends CallNode {
  protected override leaveCall(call: CallRecord, reason: LeaveReason): void {
    super.leaveCall(call, reason);
    call.everJoined = false;
  }
}

// Developer left the missed-call notification as a TODO — breaks R9.
class NeverReportsMissed extends CallNode {
  protected override reportMissed(): void {}
}

// Developer sent mute/deafen changes like media, once and to the joined participants only, so invitees never learn them — breaks R10.
class MuteToJoinedOnly extends CallNode {
  private stateChangeOnly = false;

  protected override bump(call: CallRecord, change: Partial<Omit<Register, 'version'>>): void {
    this.stateChangeOnly = !('status' in change);
    super.bump(call, change);
    this.stateChangeOnly = false;
  }

  protected override pushRegister(call: CallRecord): void {
    if (!this.stateChangeOnly) return super.pushRegister(call);
    const register = registerOf(call, this.self);
    for (const peer of joinedPeers(call)) if (peer !== this.self) this.send(peer, { type: 'state', call: call.info, register });
  }
}

// Developer kept each call's version counter in a volatile map instead of deriving it from the persisted register, so after a restart the leave (and a rejoin) reuse versions already sent — breaks R4/R7.
class VersionsRestartFromOne extends CallNode {
  private readonly counters = new Map<string, number>();

  protected override bump(call: CallRecord, change: Partial<Omit<Register, 'version'>>): void {
    const next = (this.counters.get(call.info.id) ?? 0) + 1;
    this.counters.set(call.info.id, next);
    call.registers.set(this.self, { ...registerOf(call, this.self), version: next - 1 }); // the reference bumps to version + 1
    super.bump(call, change);
  }
}

// Developer forgot to emit participant-left for the active call (the view is right, the event never comes) — breaks R12.
const NoParticipantLeftEvent = silences('participant-left');

// Developer forgot to emit incoming for a new call (it is listed as pending and ringing, but the app is never told) — breaks R2/R12.
const NoIncomingEvent = silences('incoming');

// Developer never forgets a call nobody is in (the idle rule always says "busy") — breaks R14.
const NeverPrunes = withRules({ isIdle: () => false });

// Developer wired up the media channel and the time sync but never the audio sender — breaks "everyone can be heard".
class NeverSendsAudio extends CallNode {
  protected override sendMedia(to: PeerId, bytes: Uint8Array): void {
    if (bytes[0] !== AUDIO_KIND) super.sendMedia(to, bytes);
  }
}

// Developer sends audio from a loop that loses a frame now and then (one in ten, to whichever peer is next) — breaks "each unmuted participant sends 20 ms frames"; the receiver conceals it, so everyone is still heard.
class SkipsAudioFrames extends CallNode {
  private audioSends = 0;
  protected override sendMedia(to: PeerId, bytes: Uint8Array): void {
    if (bytes[0] === AUDIO_KIND && ++this.audioSends % 10 === 0) return;
    super.sendMedia(to, bytes);
  }
}

// Developer opens a media channel to each participant who joins but closes them only when leaving the call itself — breaks "a channel lives while both are in the call".
class KeepsLeaversChannels extends CallNode {
  private channelsOf: string | undefined;
  private readonly opened = new Set<PeerId>();
  protected override mediaPeers(active: CallRecord | undefined): PeerId[] {
    if (active?.info.id !== this.channelsOf) {
      this.opened.clear();
      this.channelsOf = active?.info.id;
    }
    for (const p of super.mediaPeers(active)) this.opened.add(p);
    return [...this.opened];
  }
}

// Developer starts audio to everyone invited as soon as it is in the call ("early media", so the first words are not lost) — the ringing hear a call they are not in.
class EarlyMedia extends CallNode {
  protected override mediaPeers(active: CallRecord | undefined): PeerId[] {
    return active === undefined ? [] : active.info.participants.filter((p) => p !== this.self && registerOf(active, p).status === 'invited').concat(super.mediaPeers(active));
  }
}

// Developer keeps mute and deafen in the call's register but never tells the media plane — the muted are heard, the deafened hear.
class MediaIgnoresMuteDeafen extends CallNode {
  protected override syncMedia(): void {
    const state = this.state;
    this.state = { ...state, muted: false, deafened: false };
    super.syncMedia();
    this.state = state;
  }
}

// Developer mutes at the receiving end: a muted node's audio still goes out, and each listener drops the frames of peers its call shows muted — nobody hears the muted, but "a muted one sends nothing" is broken (and so is privacy, to anyone on the path).
class MutesAtTheReceiver extends CallNode {
  protected override syncMedia(): void {
    const state = this.state;
    this.state = { ...state, muted: false };
    super.syncMedia();
    this.state = state;
  }

  protected override receive(from: PeerId, channel: Channel, bytes: Uint8Array): Outcome {
    const active = this.activeCall();
    if (channel === 'media' && bytes[0] === AUDIO_KIND && active !== undefined && registerOf(active, from).muted) return OK;
    return super.receive(from, channel, bytes);
  }
}

// Developer shows the time sync's one-way delay where the round trip belongs (halves it once too often) — breaks "the round trip is known".
class OneWayAsRoundTrip extends CallNode {
  protected override command(command: CallCommand): Outcome {
    const outcome = super.command(command);
    if (command.type !== 'media' || !outcome.ok) return outcome;
    return { ok: true, value: (outcome.value as MediaView[]).map((v) => ({ ...v, rttMs: v.rttMs === undefined ? undefined : v.rttMs / 2 })) };
  }
}

// Developer sends the time sync's first packet once and waits for its answer forever — one loss as a channel opens and the round trip is never known.
class SyncNeverRetries extends CallNode {
  constructor(context: NodeContext, config: Partial<ProtocolConfig> = {}) {
    super(context, { ...config, syncRetryMs: Number.MAX_SAFE_INTEGER });
  }
}

// Developer reads the time sync's clock offset the wrong way round (ours minus the sender's) — every stream's playout delay is off by twice the clocks' difference.
class OffsetBackwards extends CallNode {
  constructor(context: NodeContext, config: Partial<ProtocolConfig> = {}) {
    super(context, { ...config, playout: 'callsim' }, [{ name: 'callsim', create: () => offsetBackwards(callsimPlayout()) }]);
  }
}

/** `controller`, given every time sync's clock offset negated. */
function offsetBackwards(controller: PlayoutController): PlayoutController {
  return {
    algorithm: controller.algorithm,
    handle: (input) => controller.handle(input.type === 'timeSync' && input.clockOffsetMs !== undefined ? { ...input, clockOffsetMs: -input.clockOffsetMs } : input),
    pollOutput: () => controller.pollOutput(),
    stats: () => controller.stats(),
    targetDelayMs: () => controller.targetDelayMs(),
  };
}

/** The kind byte of an audio frame on the media channel (protocol/media-wire.ts). */
const AUDIO_KIND = 4;

// Developer reported the ring time passing but left the call's ringing flag on ("the UI stops the sound on ring-timeout anyway") — breaks R2.
class RingsForever extends CallNode {
  protected override event(event: CallEvent): void {
    super.event(event);
    const call = event.type === 'ring-timeout' ? this.state.calls.get(event.callId) : undefined;
    if (call !== undefined) call.ringing = true;
  }
}

// Developer resumes the call the app was in after a restart ("back where the user was") instead of leaving it — breaks R7.
class StaysInCallAfterRestart extends CallNode {
  protected override leaveCall(call: CallRecord, reason: LeaveReason): void {
    if (reason !== 'restart') return super.leaveCall(call, reason);
    this.pushRegister(call); // resend its (joined) register, as a restarted node does for any call it spoke in
    this.armAntiEntropy();
  }
}

/** Broken variants the fuzzer catches, in the order the test reports them. */
export const BROKEN_VARIANTS: readonly BrokenVariant[] = [
  variant('pending-until-first-leave', 'R5', 'a call stops being pending as soon as anyone has left it', PendingUntilFirstLeave),
  variant('forgets-rejection-on-restart', 'R8', "its own 'rejected' registers are restored as invited after a restart", ForgetsRejectionOnRestart),
  variant('no-version-check', 'R4', 'accepts any received register, even an older one', NoVersionCheck),
  variant('leave-sent-once', 'R3', "a 'left' register is sent once and never retransmitted", LeaveSentOnce),
  variant('direct-call-never-ends', 'R6', 'when one side of a direct call leaves or rejects, the other side stays in it', DirectCallNeverEnds),
  variant('join-keeps-current-call', 'R11', 'joining or dialing another call does not leave the current one', JoinKeepsCurrentCall),
  variant('no-glare-resolution', 'R11', 'two direct calls dialed at once between the same two peers are never merged', NoGlareResolution),
  variant('missed-after-joining', 'R9', 'reports a missed call to an invitee who had joined (and left) the call', MissedAfterJoining),
  variant('never-reports-missed', 'R9', 'never reports a missed call', NeverReportsMissed),
  variant('mute-to-joined-only', 'R10', 'mute/deafen changes go only to the participants currently joined, once', MuteToJoinedOnly),
  variant('versions-restart-from-one', 'R4/R7', 'after a restart its own versions start again from 1', VersionsRestartFromOne),
  variant('no-participant-left-event', 'R12', 'never emits participant-left for the active call', NoParticipantLeftEvent),
  variant('no-incoming-event', 'R2/R12', 'never emits incoming for a new call', NoIncomingEvent),
  variant('rings-forever', 'R2', 'a call that rang out (ring-timeout reported) still shows ringing', RingsForever),
  variant('never-prunes', 'R14', 'never forgets a call nobody is in', NeverPrunes),
  variant('never-sends-audio', 'media', 'joins calls but never sends an audio frame', NeverSendsAudio),
  variant('skips-audio-frames', 'media', 'drops one audio frame in ten on its way out', SkipsAudioFrames),
  variant('early-media', 'media', 'sends audio to invitees who have not joined yet', EarlyMedia),
  variant('media-ignores-mute-deafen', 'media', 'mutes and deafens in the call state only: audio still goes out and plays', MediaIgnoresMuteDeafen),
  variant('one-way-as-round-trip', 'media', "reports the time sync's one-way delay as the round trip", OneWayAsRoundTrip),
  variant('mutes-at-the-receiver', 'media', "keeps sending audio while muted; listeners drop the frames of peers shown muted", MutesAtTheReceiver),
  variant('offset-backwards', 'media', "takes the time sync's clock offset the wrong way round", OffsetBackwards),
  variant('sync-never-retries', 'media', 'never retries a time-sync exchange whose answer was lost', SyncNeverRetries),
  variant('keeps-leavers-channels', 'media', 'keeps the media channel to a participant who left, until it leaves the call itself', KeepsLeaversChannels),
];

// ---- not caught (known gaps) --------------------------------------------------------------------

/** Broken variants the fuzzer does not catch within the test's budget, each with the gap that lets it through. */
export const UNCAUGHT_VARIANTS: readonly UncaughtVariant[] = [
  {
    ...variant('stays-in-call-after-restart', 'R7', 'a restarted app is still in the call it was in', StaysInCallAfterRestart),
    gap: "no invariant checks the reference protocol's own rule that a restarted app is no longer in its call: the others keep seeing it joined, which agrees with its own view, its fresh media stream is recognised and heard, and the seed notes ask only that it can join again. It is a design choice more than a bug, so no invariant was added; one would check that after a `restart` fault of node N, N's first settled view has no active call.",
  },
];
