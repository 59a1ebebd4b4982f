/**
 * One call as a node knows it, and every rule that derives what the call *is* from its registers.
 *
 * Theory of operation (the one table, after h11): a call's state is its immutable `CallInfo` plus one
 * register per participant, each written only by its owner and merged by version (the higher version
 * wins, so duplicates, reordering and replays are harmless and a leave is never undone by an older
 * join). Everything else is derived here, in one place: the kind (2 participants = direct), whether a
 * direct call has ended, who is in the call, whether it is pending for this node (R5), whether it can
 * be pruned, and the `CallView` shown to the application. The node keeps a little local bookkeeping
 * beside the registers (what it has already announced, retransmission schedules) but never a second
 * copy of membership.
 */
import type { CallKind, CallView, ParticipantView } from './api.ts';
import type { Millis, PeerId } from './contract.ts';
import type { CallId, CallInfo, Register } from './wire.ts';

/** The implicit register of a participant nobody has heard from. */
export const INVITED: Register = Object.freeze({ status: 'invited', muted: false, deafened: false, version: 0 });

/** When to resend this node's register to one peer. */
export interface RetrySchedule {
  /** Current backoff (ms). */
  backoffMs: Millis;
  /** Local time of the next resend. */
  nextAt: Millis;
}

/** One call as this node knows it. */
export interface CallRecord {
  /** The call's immutable description. */
  readonly info: CallInfo;
  /** Every participant's register (absent = `INVITED`). */
  readonly registers: Map<PeerId, Register>;
  /** Highest version of this node's register each peer has acknowledged. */
  readonly acked: Map<PeerId, number>;
  /** Peers still owed this node's current register. */
  readonly retries: Map<PeerId, RetrySchedule>;
  /** This node has been in the call at some point (no missed call then). */
  everJoined: boolean;
  /** The call has been announced to the application (incoming) at least once. */
  announced: boolean;
  /** The call is currently shown as pending. */
  pendingShown: boolean;
  /** It is ringing (until answered, rejected, cancelled or the ring time passes). */
  ringing: boolean;
  /** A missed-call event was emitted. */
  missedEmitted: boolean;
  /** Lost a dial-glare tie-break: the direct call between the same two peers it was merged into (no events). */
  mergedInto: CallId | null;
  /** Active-call participants as last reported to the application (peer → mute/deafen). */
  readonly shown: Map<PeerId, { muted: boolean; deafened: boolean }>;
}

/** A fresh record for `info`, every participant at the implicit invited state. */
export function newCallRecord(info: CallInfo): CallRecord {
  return {
    info,
    registers: new Map(),
    acked: new Map(),
    retries: new Map(),
    everJoined: false,
    announced: false,
    pendingShown: false,
    ringing: false,
    missedEmitted: false,
    mergedInto: null,
    shown: new Map(),
  };
}

/** The register of `peer` in `call`. */
export function registerOf(call: CallRecord, peer: PeerId): Register {
  return call.registers.get(peer) ?? INVITED;
}

/** Direct (2 participants) or group (3 or more). */
export function kindOf(info: CallInfo): CallKind {
  return info.participants.length === 2 ? 'direct' : 'group';
}

/** A direct call ends for good when either side has left or rejected it (R6). */
export function hasEnded(call: CallRecord): boolean {
  if (kindOf(call.info) !== 'direct') return false;
  return call.info.participants.some((p) => {
    const s = registerOf(call, p).status;
    return s === 'left' || s === 'rejected';
  });
}

/** Participants currently in the call. */
export function joinedPeers(call: CallRecord): PeerId[] {
  return call.info.participants.filter((p) => registerOf(call, p).status === 'joined');
}

/** R5: pending for `self` while someone is in it, `self` is not and has not rejected it, and it has not ended. */
export function isPending(call: CallRecord, self: PeerId): boolean {
  const mine = registerOf(call, self).status;
  if (mine === 'joined' || mine === 'rejected' || call.mergedInto !== null || hasEnded(call)) return false;
  return joinedPeers(call).length > 0;
}

/** Nobody is in the call (or this node rejected it): it may be forgotten after the prune time (R14). */
export function isIdle(call: CallRecord, self: PeerId): boolean {
  return registerOf(call, self).status === 'rejected' || joinedPeers(call).length === 0;
}

/** Whether a merged register from `owner` would be news (its version is higher). */
export function isNewer(call: CallRecord, owner: PeerId, register: Register): boolean {
  return register.version > registerOf(call, owner).version;
}

/** The derivation rules a node applies, gathered so a variant of the protocol can swap one out. */
export interface CallRules {
  /** R6: the direct call has ended. */
  readonly hasEnded: (call: CallRecord) => boolean;
  /** R5: the call is pending for `self`. */
  readonly isPending: (call: CallRecord, self: PeerId) => boolean;
  /** R14: the call may be forgotten. */
  readonly isIdle: (call: CallRecord, self: PeerId) => boolean;
  /** R4: a received register replaces the one held. */
  readonly isNewer: (call: CallRecord, owner: PeerId, register: Register) => boolean;
}

/** The reference protocol's rules. */
export const RULES: CallRules = Object.freeze({ hasEnded, isPending, isIdle, isNewer });

/** The application's view of `call` as `self` sees it. */
export function viewOf(call: CallRecord, self: PeerId, rules: CallRules = RULES): CallView {
  const participants: ParticipantView[] = call.info.participants.map((peer) => ({ peer, ...registerOf(call, peer) }));
  const mine = registerOf(call, self).status;
  const pending = rules.isPending(call, self);
  return {
    callId: call.info.id,
    kind: kindOf(call.info),
    initiator: call.info.initiator,
    participants,
    self: mine,
    active: mine === 'joined',
    pending,
    ringing: pending && call.ringing,
    ended: rules.hasEnded(call),
    ...(call.mergedInto === null ? {} : { mergedInto: call.mergedInto }),
  };
}

/** True when two descriptions of a call agree (a peer may not redefine a call). */
export function sameInfo(a: CallInfo, b: CallInfo): boolean {
  return a.id === b.id && a.initiator === b.initiator && a.participants.length === b.participants.length && a.participants.every((p, i) => p === b.participants[i]);
}
