/**
 * The reference protocol's application surface: the commands a user (or a fuzzer) gives a node, the
 * values its queries return, the events it emits, and the typed errors of local misuse.
 *
 * The call listener of the seed notes: `list` shows every call the node knows with its state; `join`
 * sets the active call (accept, rejoin) and returns its configuration; `get` returns a call's
 * configuration; the active call emits participant events; other calls emit incoming, cancelled and
 * missed events.
 */
import type { PeerId } from './contract.ts';
import type { CallId, MemberStatus } from './wire.ts';

/** A user command (or query). Any command may be given at any time; misuse is refused, never thrown. */
export type CallCommand =
  /** Call one peer (a direct call) or several (a group call); joins it at once. Returns the call. */
  | { readonly type: 'dial'; readonly peers: readonly PeerId[] }
  /** Accept, rejoin, or switch to a call: it becomes the active call. Returns the call. */
  | { readonly type: 'join'; readonly callId: CallId }
  /** Refuse a call for good: this node is never invited to it again. */
  | { readonly type: 'reject'; readonly callId: CallId }
  /** Leave the active call (or the named one). */
  | { readonly type: 'leave'; readonly callId?: CallId }
  /** Mute or unmute the microphone (applies to the active call and to calls joined later). */
  | { readonly type: 'mute'; readonly muted: boolean }
  /** Deafen or undeafen (applies to the active call and to calls joined later). */
  | { readonly type: 'deafen'; readonly deafened: boolean }
  /** Every call this node knows, with its state. Returns `CallView[]`. */
  | { readonly type: 'list' }
  /** One call's configuration. Returns a `CallView`. */
  | { readonly type: 'get'; readonly callId: CallId }
  /** Counters. Returns `NodeStats`. */
  | { readonly type: 'stats' }
  /** The media plane: one `MediaView` per peer of the active call. */
  | { readonly type: 'media' };

/** The kinds of call: two participants make a direct call, three or more a group call. */
export type CallKind = 'direct' | 'group';

/** One participant as this node currently sees them. */
export interface ParticipantView {
  readonly peer: PeerId;
  readonly status: MemberStatus;
  readonly muted: boolean;
  readonly deafened: boolean;
  readonly version: number;
}

/** A call's configuration and state as this node sees it. */
export interface CallView {
  readonly callId: CallId;
  readonly kind: CallKind;
  readonly initiator: PeerId;
  /** Every invitee, the initiator first, with their membership and mute/deafen state. */
  readonly participants: readonly ParticipantView[];
  /** This node's own membership. */
  readonly self: MemberStatus;
  /** This node is in the call (it is the active call). */
  readonly active: boolean;
  /** Joinable and shown as pending: someone is in it, this node is not and has not rejected it. */
  readonly pending: boolean;
  /** Pending and still ringing. */
  readonly ringing: boolean;
  /** A direct call that ended (someone left or rejected): it cannot be joined again. */
  readonly ended: boolean;
  /** Dial glare: this direct call was merged into that one (the same two peers dialed each other at once). */
  readonly mergedInto?: CallId;
}

/** Why this node left a call. */
export type LeaveReason = 'user' | 'switched' | 'direct-ended' | 'restart' | 'merged';

/** Everything a node tells its application. */
export type CallEvent =
  /** A call this node is invited to appeared (it rings). */
  | { readonly type: 'incoming'; readonly callId: CallId; readonly initiator: PeerId; readonly kind: CallKind; readonly participants: readonly PeerId[] }
  /** An incoming call rang for the ring time without an answer; it stays pending, quietly. */
  | { readonly type: 'ring-timeout'; readonly callId: CallId }
  /** A call that was no longer pending is pending again (a group that emptied and refilled). */
  | { readonly type: 'pending'; readonly callId: CallId }
  /** A pending call stopped being pending: nobody is in it any more, or the direct call ended. */
  | { readonly type: 'cancelled'; readonly callId: CallId }
  /** A call this node was invited to and never joined is over. */
  | { readonly type: 'missed'; readonly callId: CallId; readonly initiator: PeerId }
  /** This node is in the call (the active call); `call` shows everyone's mute and deafen state at once. */
  | { readonly type: 'joined'; readonly callId: CallId; readonly call: CallView }
  /** This node left the call. */
  | { readonly type: 'left'; readonly callId: CallId; readonly reason: LeaveReason }
  /** Active call: a participant came in. */
  | { readonly type: 'participant-joined'; readonly callId: CallId; readonly peer: PeerId; readonly muted: boolean; readonly deafened: boolean }
  /** Active call: a participant went out (left or rejected). */
  | { readonly type: 'participant-left'; readonly callId: CallId; readonly peer: PeerId; readonly status: 'left' | 'rejected' | 'invited' }
  /** Active call: a participant's mute or deafen state changed. */
  | { readonly type: 'participant-state'; readonly callId: CallId; readonly peer: PeerId; readonly muted: boolean; readonly deafened: boolean }
  /** Active call: the media channel to a participant opened (both are in the call). */
  | { readonly type: 'media-open'; readonly callId: CallId; readonly peer: PeerId }
  /** Active call: the media channel to a participant closed. */
  | { readonly type: 'media-closed'; readonly callId: CallId; readonly peer: PeerId }
  /** Active call: audio from `peer` is likely to degrade soon (rising delay) or has stalled. */
  | { readonly type: 'degradation-likely'; readonly callId: CallId; readonly peer: PeerId; readonly cause: 'delay-rising' | 'stall'; readonly expectedInMs?: number };

/** What a node sends to and hears from one peer of its active call. */
export interface MediaView {
  readonly peer: PeerId;
  /** The time sync's round-trip estimate (ms), once it has one. */
  readonly rttMs: number | undefined;
  /** Audio frames sent to the peer. */
  readonly framesSent: number;
  /** Frames from the peer played out while this node was not deafened. */
  readonly framesHeard: number;
  /** A frame from the peer played out (or time-stretched) within the last 100 ms and this node is not deafened. */
  readonly hearing: boolean;
  /** Degradation warnings raised for the peer's stream. */
  readonly degradationWarnings: number;
  /** The playout controller's target delay (ms): webrtc-stats' jitterBufferTargetDelay. */
  readonly targetDelayMs: number;
  /** The stream's counters, named as webrtc-stats name them. */
  readonly stats: unknown;
}

/** Codes of local misuse: the command is refused and nothing changes. */
export type MisuseCode =
  | 'bad-command'
  | 'no-peers'
  | 'too-many-peers'
  | 'self-dial'
  | 'duplicate-peer'
  | 'call-not-found'
  | 'already-joined'
  | 'already-rejected'
  | 'call-rejected'
  | 'call-ended'
  | 'in-call'
  | 'not-in-call';

/** Counters of one node. */
export interface NodeStats {
  /** Calls known now (pruned ones excluded). */
  readonly calls: number;
  /** Pruned call ids still remembered. */
  readonly tombstones: number;
  /** Remote protocol violations ignored, by code. */
  readonly violations: Readonly<Record<string, number>>;
  /** Messages the codec refused, by code. */
  readonly malformed: Readonly<Record<string, number>>;
}
