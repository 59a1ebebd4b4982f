/**
 * Invariants: the oracles that judge any run of any call protocol, scripted or fuzzed.
 *
 * Theory of operation. Safety invariants are checked on a node every time it settles after an input
 * (the world's `observe` hook): the checker asks the node for its call list (an untraced query) and
 * compares it with what it knows of the run so far; events and faults are checked as they are traced.
 * Liveness invariants are checked once, at the end of a quiet phase in which faults have stopped and
 * the network no longer loses packets (the runner arranges it). Every invariant names the requirement
 * it guards (R1–R14 of the reference protocol's issue, or `contract`), and a violation reports the node,
 * the simulated time and the trace events that led there.
 *
 * The checker knows each owner's register history: what a participant wrote at each version, taken
 * from the owner's own view when it settles (before any message about it can leave). Every other
 * node's picture of that participant must be one of those writes, and never an older one than it has
 * already shown. It also replays each node's events into the picture an application built from them
 * (the active call and its participants, the pending calls) and holds it against the node's own view.
 * Every media packet a node sends during an input is held against that picture, as it was before the
 * input or after it (a join sends at once, a leave may say goodbye): media goes to call members only.
 * The media invariants judged at the end compare the node's `media` query with its call and, for the
 * round trip and the playout delay, with the simulator's ground truth: the range of round trips the
 * pair's link carried, and of one-way delays each direction did. After the heal, every audio frame a
 * node sends (as its protocol's trace labels say) is held to the frame cadence and the node's mute.
 */
import type { CallEvent, CallView, MediaView } from '../protocol/api.ts';
import type { PeerId } from '../protocol/contract.ts';
import { encodeTraceEvent, TraceRing, type TraceEvent, type TraceSink } from '../sim/index.ts';
import { FRAME_MS } from '../protocol/media/index.ts';
import type { Session } from './session.ts';

/** A broken invariant. */
export interface Violation {
  /** The invariant's name. */
  readonly invariant: string;
  /** The requirement it guards. */
  readonly requirement: string;
  /** The node where it broke. */
  readonly node: PeerId;
  /** Simulated time (ms). */
  readonly atMs: number;
  /** What was wrong. */
  readonly message: string;
  /** The last trace events involving the node, oldest first. */
  readonly context: readonly string[];
}

/** Most signaling messages a node may send one peer within one second of simulated time (`signaling-bounded`). */
export const SIGNALING_RATE_LIMIT = 1000;

/** How far a round-trip estimate may lie outside the range its link carried before it is wrong (ms), drift aside. */
export const ROUND_TRIP_SLACK_MS = 1;

/** The span over which an estimate's parts may have been measured: a drifting clock's error grows with it (ms). */
const DRIFT_SPAN_MS = 5000;

/** The deepest buffer `playout-delay-true` allows on top of the path (ms): 500 frames. */
const PLAYOUT_BUFFER_LIMIT_MS = 10_000;

/** A trace label of an audio frame, with its sequence number (the reference protocol's `describe`). */
const AUDIO_LABEL = /^audio #(\d+)$/;

/** Every invariant: name → requirement guarded and one-line statement. */
export const INVARIANTS = {
  'one-active-call': ['R11', 'a node is in at most one call at a time'],
  'invitees-only': ['R13', 'a node knows a call only if it is invited, and only invitees are members'],
  'call-description-agrees': ['R13', 'every node describes a call (initiator, participants) the same way'],
  'kind-matches': ['R1', 'two participants make a direct call, three or more a group call'],
  'register-integrity': ['R13', 'a participant is only ever shown as its owner wrote it'],
  'no-going-back': ['R4', 'the version a node shows for a participant never decreases: a left participant is not brought back'],
  'owner-versions-unique': ['R4', 'an owner never writes two different registers with the same version'],
  'rejection-sticks': ['R8', 'a rejecter stays rejected, across restarts, and is never offered the call again'],
  'direct-call-ends': ['R6', 'nobody stays in a direct call after the other side left or rejected'],
  'pending-definition': ['R5', 'a call is pending exactly while someone else is in it and the node is not, has not rejected it, and it has not ended'],
  'missed-only-if-never-joined': ['R9', 'a missed call is reported once, and only to an invitee who never joined'],
  'events-match-view': ['R12', 'the active call\'s events (joined, participant joined/left/state, left) replay to exactly the participants the node shows'],
  'pending-announced': ['R2/R12', 'a call shown pending was announced (incoming or pending), and one that stops being pending for any reason but the node\'s own answer is cancelled'],
  'ringing-announced': ['R2/R12', 'a call shown ringing is pending and was announced as incoming, and has not timed out (ring-timeout) or stopped being pending since'],
  'core-never-throws': ['contract', 'a protocol node never throws'],
  'media-to-members-only': ['media', 'a node sends on the media channel only to the other joined participants of its active call, as its own events tell it before or after the input that sends'],
  'signaling-bounded': ['contract', `a node sends any one peer at most ${SIGNALING_RATE_LIMIT} signaling messages in a second (more is a storm: answers answering answers); the run stops there`],
  'agreement': ['R4/R10', 'after the network heals, every node agrees on every participant\'s membership, mute and deafen'],
  'offer-reaches-invitees': ['R3', 'after the network heals, every online invitee of a live call knows it'],
  'missed-call-reported': ['R9', 'after the network heals, every invitee who never joined a call that is over got a missed call'],
  'glare-resolves': ['R11', 'two peers who dialed each other do not stay in two separate calls'],
  'idle-calls-forgotten': ['R14', 'when the scenario asks for it: a call nobody was in during the whole quiet phase is forgotten by its end'],
  'everyone-heard': ['media', 'after the network heals, every joined, unmuted participant is heard by every other joined, undeafened one'],
  'muted-silent': ['media', 'after the network heals, nobody hears a muted participant'],
  'deafened-hear-nothing': ['media', 'after the network heals, a deafened participant hears nobody'],
  'round-trip-known': ['media', 'after the network heals, a node knows the round trip to every peer it has a media channel to, within the range of round trips their link has carried (1 ms either side, more by the clocks\' drift)'],
  'audio-cadence': ['media', 'after the network heals, a node sends each peer it has a media channel to one audio frame per 20 ms of its clock, numbered consecutively, and none while muted (checked where its trace labels audio frames `audio #seq`)'],
  'playout-delay-true': ['media', 'after the network heals, every stream is played, on average, within the delays its path carried: no sooner after capture than the fastest less the time sync\'s offset error (half the slowest), no later than the slowest plus that, a 10 s buffer and the listener\'s longest freeze'],
  'media-channels-match': ['media', 'after the network heals, a node has a media channel to exactly the other joined participants of its active call, and to nobody when it is in none'],
} as const satisfies Record<string, readonly [string, string]>;

/** An invariant's name. */
export type InvariantName = keyof typeof INVARIANTS;

const CONTEXT = 12;

/** What a node's events have told its application. */
interface Told {
  /** The active call and its other participants (peer → mute/deafen flags), as the events built it. */
  active: { callId: string; members: Map<PeerId, string> } | undefined;
  /** Calls announced as pending and not cancelled since. */
  readonly pending: Set<string>;
  /** Calls announced as incoming that have neither rung out nor stopped being pending since: the ones that may ring. */
  readonly ringable: Set<string>;
}

/** Options of the checker. */
export interface CheckerOptions {
  /** Check `idle-calls-forgotten` at the end (the protocol was configured to forget idle calls quickly). */
  readonly idleCallsForgotten?: boolean;
  /** Check the media invariants at the end (the protocol runs its media plane). */
  readonly media?: boolean;
}

/** Checks every safety invariant during a run and the liveness invariants at its end. */
export class InvariantChecker implements TraceSink {
  /** Violations found so far, in order. */
  readonly violations: Violation[] = [];
  private readonly recent = new TraceRing(256);
  private readonly infos = new Map<string, string>();
  /** call → owner → version → register key */
  private readonly history = new Map<string, Map<PeerId, Map<number, string>>>();
  /** node → call → participant → highest version shown */
  private readonly shown = new Map<PeerId, Map<string, Map<PeerId, number>>>();
  private readonly rejected = new Set<string>();
  private readonly everJoined = new Set<string>();
  private readonly missed = new Set<string>();
  private readonly told = new Map<PeerId, Told>();
  /** Nodes that said something about their calls during the input being handled. */
  private readonly spoke = new Set<PeerId>();
  /** Peers each node sent media to during the input being handled. */
  private readonly mediaSends = new Map<PeerId, PeerId[]>();
  /** Each node's call members as its events told them before the input being handled. */
  private readonly membersBefore = new Map<PeerId, ReadonlySet<PeerId>>();
  /** call → last time any node showed someone in it */
  private readonly lastLive = new Map<string, number>();
  /** When each paused node was paused, and each node's longest freeze so far (ms): its inbox held frames that long. */
  private readonly pausedAt = new Map<PeerId, number>();
  private readonly longestFreeze = new Map<PeerId, number>();
  /** Whether each node was muted in its active call, as of its latest check. */
  private readonly mutedNow = new Map<PeerId, boolean>();
  /** `node>peer` → the last audio frame the node sent the peer in the quiet phase (sequence number and time), since their channel opened. */
  private readonly lastAudio = new Map<string, { seq: number; t: number }>();
  private session: Session | undefined;
  private quietSince = Infinity;
  /** Signaling sends per sender → peer in the current whole second of simulated time. */
  private readonly sendsThisSecond = new Map<string, number>();
  private second = 0;
  /** A storm was found: the run should stop (nothing after it is worth simulating). */
  runaway = false;

  /** A checker with `options`. */
  constructor(private readonly options: CheckerOptions = {}) {}

  /** The quiet phase starts now (liveness checks will refer to it). */
  quietPhase(now: number): void {
    this.quietSince = now;
  }

  /**
   * Watch `session`: check a node whenever it settles after an input that can change its calls — a
   * command, a signaling message, a (re)start — or after any input during which it said something
   * about them (an event, a persist, a signaling message). Media packets and media timers that did
   * neither are skipped: they are most inputs of a call and change no call state. The checker must also
   * be one of the session's trace sinks.
   */
  attach(session: Session): this {
    this.session = session;
    session.world.observe((host, input) => {
      const quiet = (input.type === 'receive' && input.channel === 'media') || input.type === 'timer';
      const spoke = this.spoke.delete(host.id);
      if (!quiet || spoke) this.checkNode(host.id);
      const sent = this.mediaSends.get(host.id);
      if (sent !== undefined) this.checkMediaSends(host.id, sent);
      if (spoke) this.membersBefore.set(host.id, new Set(this.told.get(host.id)?.active?.members.keys()));
    });
    return this;
  }

  record(e: TraceEvent): void {
    this.recent.record(e);
    if (e.kind === 'persist' || e.kind === 'event' || (e.kind === 'send' && e.channel === 'signaling')) this.spoke.add(e.node);
    if (e.kind === 'send' && e.channel === 'signaling') this.countSend(e.node, e.to, e.t);
    else if (e.kind === 'send' && e.channel === 'media') {
      const sent = this.mediaSends.get(e.node);
      if (sent === undefined) this.mediaSends.set(e.node, [e.to]);
      else if (!sent.includes(e.to)) sent.push(e.to);
      if (this.options.media && e.t >= this.quietSince && e.label !== undefined) this.checkCadence(e.node, e.to, e.label, e.t);
    }
    if (e.kind === 'event') {
      const ev = e.event as { type: string; callId: string };
      const key = `${e.node}|${ev.callId}`;
      this.tell(e.node, e.event as CallEvent);
      if (ev.type === 'media-open') this.lastAudio.delete(`${e.node}>${(e.event as { peer: PeerId }).peer}`); // a fresh channel starts where its sender's stream is
      if ((ev.type === 'incoming' || ev.type === 'pending') && this.rejected.has(key)) {
        this.fail('rejection-sticks', e.node, e.t, `${ev.type} event for call ${ev.callId}, which it rejected`);
      } else if (ev.type === 'joined') {
        this.everJoined.add(key);
      } else if (ev.type === 'missed') {
        if (this.everJoined.has(key)) this.fail('missed-only-if-never-joined', e.node, e.t, `missed call ${ev.callId} after having joined it`);
        else if (this.missed.has(key)) this.fail('missed-only-if-never-joined', e.node, e.t, `second missed call for ${ev.callId}`);
        this.missed.add(key);
      }
    } else if (e.kind === 'fault' && (e.fault === 'pause' || e.fault === 'resume')) {
      const node = (e.detail as { node: PeerId }).node;
      const since = this.pausedAt.get(node);
      if (e.fault === 'pause') this.pausedAt.set(node, e.t);
      else if (since !== undefined) this.longestFreeze.set(node, Math.max(this.longestFreeze.get(node) ?? 0, e.t - since));
    } else if (e.kind === 'fault' && e.fault === 'node-threw') {
      const d = e.detail as { node: PeerId; error: string };
      this.fail('core-never-throws', d.node, e.t, d.error);
    }
  }

  /** Count a signaling send towards its sender's rate to `to` (whole seconds of simulated time). */
  private countSend(node: PeerId, to: PeerId, t: number): void {
    const second = Math.floor(t / 1000);
    if (second !== this.second) {
      this.second = second;
      this.sendsThisSecond.clear();
    }
    const key = `${node}>${to}`;
    const n = (this.sendsThisSecond.get(key) ?? 0) + 1;
    this.sendsThisSecond.set(key, n);
    if (n === SIGNALING_RATE_LIMIT + 1 && !this.runaway) {
      this.runaway = true;
      this.fail('signaling-bounded', node, t, `sent ${to} over ${SIGNALING_RATE_LIMIT} signaling messages within second ${second} of the run`);
    }
  }

  /** The input just handled sent media to `sent`: each must be a member of the node's call, as its events told it before or after. */
  private checkMediaSends(node: PeerId, sent: readonly PeerId[]): void {
    this.mediaSends.delete(node);
    const now = this.told.get(node)?.active?.members;
    const before = this.membersBefore.get(node);
    for (const to of sent) {
      if (now?.has(to) || before?.has(to)) continue;
      this.fail('media-to-members-only', node, this.session!.world.now, `sent media to ${to}, who is not a joined participant of its active call (${now === undefined ? 'it is in none' : `[${[...now.keys()].join(', ')}]`})`);
    }
  }

  /**
   * A media packet `label`led in the trace went from `node` to `to` at `t` (quiet phase): an audio frame
   * must follow the last one to that peer on the channel by one sequence number and one frame period of
   * the sender's clock (half a period either way: its timer may fire at any point of a millisecond).
   */
  private checkCadence(node: PeerId, to: PeerId, label: string, t: number): void {
    const audio = AUDIO_LABEL.exec(label);
    if (audio === null) return;
    const seq = Number(audio[1]);
    if (this.mutedNow.get(node) === true) this.fail('audio-cadence', node, t, `sent ${to} audio #${seq} while muted`);
    const key = `${node}>${to}`;
    const last = this.lastAudio.get(key);
    if (last === undefined) {
      this.lastAudio.set(key, { seq, t });
      return;
    }
    const period = FRAME_MS / (1 + this.session!.world.host(node).clock.driftPpm / 1e6);
    const gap = t - last.t;
    if (seq !== last.seq + 1 || Math.abs(gap - period) > period / 2) {
      this.fail('audio-cadence', node, t, `sent ${to} audio #${seq} ${gap.toFixed(3)} ms after #${last.seq}: one frame period (${period.toFixed(3)} ms) and the next number were due`);
    }
    last.seq = seq;
    last.t = t;
  }

  /** Fold one event into what the node's application has been told. */
  private tell(node: PeerId, ev: CallEvent): void {
    let told = this.told.get(node);
    if (told === undefined) this.told.set(node, (told = { active: undefined, pending: new Set(), ringable: new Set() }));
    const members = told.active?.callId === ev.callId ? told.active.members : undefined;
    switch (ev.type) {
      case 'incoming':
        told.ringable.add(ev.callId);
        told.pending.add(ev.callId);
        break;
      case 'pending':
        told.pending.add(ev.callId);
        break;
      case 'ring-timeout':
        told.ringable.delete(ev.callId);
        break;
      case 'cancelled':
        told.pending.delete(ev.callId);
        told.ringable.delete(ev.callId);
        break;
      case 'joined':
        told.pending.delete(ev.callId);
        told.ringable.delete(ev.callId);
        told.active = { callId: ev.callId, members: new Map(ev.call.participants.filter((p) => p.status === 'joined' && p.peer !== node).map((p) => [p.peer, flags(p)])) };
        break;
      case 'left':
        if (members !== undefined) told.active = undefined;
        break;
      case 'participant-joined':
      case 'participant-state':
        members?.set(ev.peer, flags(ev));
        break;
      case 'participant-left':
        members?.delete(ev.peer);
        break;
      case 'missed':
      case 'media-open':
      case 'media-closed':
      case 'degradation-likely':
        break;
    }
  }

  /** Hold the node's views against what its events told the application. */
  private checkTold(node: PeerId, views: readonly CallView[], t: number): void {
    const told = this.told.get(node) ?? { active: undefined, pending: new Set<string>(), ringable: new Set<string>() };
    const active = views.find((v) => v.active);
    const shown = active === undefined ? '' : `${active.callId}: ${active.participants.filter((p) => p.status === 'joined' && p.peer !== node).map((p) => p.peer + flags(p)).join(' ')}`;
    const built = told.active === undefined ? '' : `${told.active.callId}: ${[...told.active.members].map(([p, f]) => p + f).join(' ')}`;
    if (!sameMembers(shown, built)) this.fail('events-match-view', node, t, `shows [${shown || 'no active call'}] but its events say [${built || 'no active call'}]`);
    const byId = new Map(views.map((v) => [v.callId, v]));
    for (const v of views) {
      if (v.pending && !told.pending.has(v.callId)) {
        this.fail('pending-announced', node, t, `shows ${v.callId} pending, never announced`);
        told.pending.add(v.callId);
      }
      if (v.ringing && !(v.pending && told.ringable.has(v.callId))) {
        this.fail('ringing-announced', node, t, `shows ${v.callId} ringing, ${v.pending ? 'after it rang out or stopped being pending (or never announced as incoming)' : 'not pending'}`);
      }
      if (!v.pending) told.ringable.delete(v.callId); // once it stops being pending it never rings again
    }
    for (const callId of [...told.pending]) {
      const v = byId.get(callId);
      if (v?.pending) continue;
      told.pending.delete(callId);
      if (v !== undefined && (v.self === 'joined' || v.self === 'rejected')) continue;
      this.fail('pending-announced', node, t, `${callId} ${v === undefined ? 'vanished' : 'is no longer pending'} without a cancelled event`);
    }
  }

  /** Check every safety invariant on `node` now. */
  checkNode(node: PeerId): void {
    const session = this.session!;
    const t = session.world.now;
    const views = session.views(node);
    const seen = this.shown.get(node);
    if (seen !== undefined && seen.size > views.length) {
      // a forgotten call may be learned afresh later: its versions start over
      const known = new Set(views.map((v) => v.callId));
      for (const callId of seen.keys()) if (!known.has(callId)) seen.delete(callId);
    }
    const active = views.filter((v) => v.active);
    this.mutedNow.set(node, active[0]?.participants.find((p) => p.peer === node)?.muted === true);
    if (active.length > 1) this.fail('one-active-call', node, t, `in ${active.length} calls at once: ${active.map((v) => v.callId).join(', ')}`);
    for (const v of views) this.checkView(node, v, t);
    this.checkTold(node, views, t);
  }

  /** Check the liveness invariants on every online node (call at the end of the quiet phase). */
  checkLiveness(): void {
    const session = this.session!;
    const t = session.world.now;
    const online = session.peers.filter((p) => session.world.host(p).state === 'up' && session.world.host(p).protocol.name !== 'puppet');
    const views = new Map(online.map((p) => [p, new Map(session.views(p).map((v) => [v.callId, v]))]));
    const calls = new Set([...views.values()].flatMap((m) => [...m.keys()]));
    for (const callId of calls) {
      const holders = online.filter((p) => views.get(p)!.has(callId));
      const sample = views.get(holders[0]!)!.get(callId)!;
      // The agreed register of each participant: the owner's own if it is online, else the newest seen.
      const agreed = new Map(
        sample.participants.map((p) => {
          const own = views.get(p.peer)?.get(callId)?.participants.find((q) => q.peer === p.peer);
          const newest = holders.map((h) => views.get(h)!.get(callId)!.participants.find((q) => q.peer === p.peer)!).reduce((a, b) => (b.version > a.version ? b : a));
          return [p.peer, own ?? newest] as const;
        }),
      );
      for (const h of holders) {
        const view = views.get(h)!.get(callId)!;
        if (view.self === 'rejected') continue; // a rejecter is told nothing more
        for (const p of view.participants) {
          const a = agreed.get(p.peer)!;
          if (registerKey(p) !== registerKey(a) || p.version !== a.version) {
            this.fail('agreement', h, t, `call ${callId}: sees ${p.peer} as ${describe(p)}, but it is ${describe(a)}`);
          }
        }
      }
      const live = [...agreed.values()].some((p) => p.status === 'joined');
      for (const invitee of sample.participants) {
        const status = agreed.get(invitee.peer)!.status;
        if (live && status !== 'rejected' && online.includes(invitee.peer) && !holders.includes(invitee.peer)) {
          this.fail('offer-reaches-invitees', invitee.peer, t, `does not know live call ${callId}`);
        }
      }
      if (!live) {
        for (const h of holders) {
          const view = views.get(h)!.get(callId)!;
          const key = `${h}|${callId}`;
          if (view.self !== 'rejected' && view.mergedInto === undefined && !this.everJoined.has(key) && !this.missed.has(key)) {
            this.fail('missed-call-reported', h, t, `call ${callId} is over, ${h} never joined it, and no missed call was reported`);
          }
        }
      }
    }
    this.checkGlare(online, views, t);
    if (this.options.media) this.checkHearing(online, views, t);
    if (this.options.idleCallsForgotten) {
      const liveNow = new Set([...views.values()].flatMap((m) => [...m.values()].filter((v) => v.participants.some((q) => q.status === 'joined')).map((v) => v.callId)));
      for (const p of online) {
        for (const callId of views.get(p)!.keys()) {
          const live = this.lastLive.get(callId) ?? -Infinity;
          if (!liveNow.has(callId) && live < this.quietSince) this.fail('idle-calls-forgotten', p, t, `still keeps ${callId}, which nobody has been in since ${(live / 1000).toFixed(3)} s`);
        }
      }
    }
  }

  /** Who hears whom, against who is in the call, unmuted and undeafened (as the owners say). */
  private checkHearing(online: PeerId[], views: Map<PeerId, Map<string, CallView>>, t: number): void {
    const session = this.session!;
    for (const listener of online) {
      const call = [...views.get(listener)!.values()].find((v) => v.active);
      const media = session.media(listener);
      const heard = new Map(media.map((m) => [m.peer, m.hearing]));
      for (const view of media) {
        this.checkRoundTrip(listener, view, t);
        this.checkPlayoutDelay(listener, view, t);
      }
      const expected = (call?.participants ?? []).filter((p) => p.peer !== listener && p.status === 'joined').map((p) => p.peer).sort();
      const channels = [...heard.keys()].sort();
      if (channels.join() !== expected.join()) {
        this.fail('media-channels-match', listener, t, `has media channels to [${channels.join(', ')}], but the other joined participants of its call are [${expected.join(', ')}]`);
      }
      const deafened = call?.participants.find((p) => p.peer === listener)?.deafened ?? false;
      for (const speaker of call?.participants ?? []) {
        if (speaker.peer === listener || speaker.status !== 'joined' || !online.includes(speaker.peer)) continue;
        const own = views.get(speaker.peer)!.get(call!.callId)?.participants.find((p) => p.peer === speaker.peer);
        if (own?.status !== 'joined') continue; // the speaker's own view is the truth about the speaker
        const hearing = heard.get(speaker.peer) === true;
        if (deafened && hearing) this.fail('deafened-hear-nothing', listener, t, `is deafened but hears ${speaker.peer}`);
        else if (own.muted && hearing) this.fail('muted-silent', listener, t, `hears ${speaker.peer}, who is muted`);
        else if (!deafened && !own.muted && !hearing) this.fail('everyone-heard', listener, t, `does not hear ${speaker.peer} in ${call!.callId}`);
      }
    }
  }

  /** A media view's round trip against the range of true round trips on the pair's media link. */
  private checkRoundTrip(listener: PeerId, view: MediaView, t: number): void {
    const world = this.session!.world;
    const range = world.trueRoundTripRangeMs(listener, view.peer);
    if (range === undefined) return; // nothing crossed both ways yet: nothing to know it from
    if (view.rttMs === undefined) {
      this.fail('round-trip-known', listener, t, `has no round-trip estimate for ${view.peer}, though their link carried packets both ways`);
      return;
    }
    // a drifting clock measures every span longer or shorter, and skews the halves it adds up
    const drift = (Math.abs(world.host(listener).clock.driftPpm) + Math.abs(world.host(view.peer).clock.driftPpm)) / 1e6;
    const slack = ROUND_TRIP_SLACK_MS + drift * (range.hi + DRIFT_SPAN_MS);
    if (view.rttMs < range.lo - slack || view.rttMs > range.hi + slack) {
      this.fail('round-trip-known', listener, t, `estimates the round trip to ${view.peer} at ${view.rttMs.toFixed(3)} ms, but their link carried round trips of ${range.lo.toFixed(3)}–${range.hi.toFixed(3)} ms`);
    }
  }

  /**
   * A stream's mean playout delay against the one-way delays its path carried. The listener puts the
   * speaker's media clock on its own with the time sync's offset, which is off by half the difference
   * of an exchange's two one-way delays: at most half the slower direction's largest. A listener that
   * was frozen may play frames that waited out the freeze in its inbox: its longest freeze adds above.
   */
  private checkPlayoutDelay(listener: PeerId, view: MediaView, t: number): void {
    const delay = meanPlayoutDelay(view);
    const world = this.session!.world;
    const path = world.trueOneWayRangeMs(view.peer, listener);
    const back = world.trueOneWayRangeMs(listener, view.peer);
    if (delay === undefined || path === undefined) return;
    const offsetError = Math.max(path.hi, back?.hi ?? 0) / 2 + ROUND_TRIP_SLACK_MS;
    const [lo, hi] = [path.lo - offsetError, path.hi + offsetError + PLAYOUT_BUFFER_LIMIT_MS + (this.longestFreeze.get(listener) ?? 0)];
    if (delay < lo || delay > hi) {
      this.fail('playout-delay-true', listener, t, `plays ${view.peer}'s audio ${delay.toFixed(1)} ms after capture on average, but their path carried it in ${path.lo.toFixed(1)}–${path.hi.toFixed(1)} ms (allowed ${lo.toFixed(1)}–${hi.toFixed(1)})`);
    }
  }

  private checkGlare(online: PeerId[], views: Map<PeerId, Map<string, CallView>>, t: number): void {
    const waiting = (a: PeerId, b: PeerId) =>
      [...views.get(a)!.values()].find((v) => v.kind === 'direct' && v.active && v.initiator === a && v.participants.some((p) => p.peer === b && p.status === 'invited'));
    for (const a of online) {
      for (const b of online) {
        if (a < b && waiting(a, b) && waiting(b, a)) this.fail('glare-resolves', a, t, `${a} and ${b} each wait in their own direct call to the other`);
      }
    }
  }

  private checkView(node: PeerId, v: CallView, t: number): void {
    const callId = v.callId;
    const key = `${node}|${callId}`;
    const ids = v.participants.map((p) => p.peer);
    if (!ids.includes(node)) this.fail('invitees-only', node, t, `knows call ${callId} it is not invited to`);
    const info = `${v.initiator}:${ids.join(',')}`;
    const known = this.infos.get(callId);
    if (known === undefined) this.infos.set(callId, info);
    else if (known !== info) this.fail('call-description-agrees', node, t, `describes ${callId} as ${info}, elsewhere ${known}`);
    if (v.kind !== (ids.length === 2 ? 'direct' : 'group')) this.fail('kind-matches', node, t, `${callId} has ${ids.length} participants but is ${v.kind}`);
    if (this.rejected.has(key) && v.self !== 'rejected') this.fail('rejection-sticks', node, t, `rejected ${callId} but now shows itself ${v.self}`);
    if (v.self === 'rejected') this.rejected.add(key);
    if (v.self === 'joined') this.everJoined.add(key);
    if (v.kind === 'direct' && v.self === 'joined') {
      const gone = v.participants.find((p) => p.status === 'left' || p.status === 'rejected');
      if (gone !== undefined) this.fail('direct-call-ends', node, t, `still in direct call ${callId} although ${gone.peer} ${gone.status}`);
    }
    if (v.participants.some((p) => p.status === 'joined')) this.lastLive.set(callId, t);
    const someoneElseIn = v.participants.some((p) => p.peer !== node && p.status === 'joined');
    const pending = v.mergedInto === undefined && !v.ended && v.self !== 'joined' && v.self !== 'rejected' && someoneElseIn;
    if (v.pending !== pending) this.fail('pending-definition', node, t, `${callId} shown ${v.pending ? '' : 'not '}pending (${v.participants.map(describe).join(', ')})`);
    let owners = this.history.get(callId);
    if (owners === undefined) this.history.set(callId, (owners = new Map()));
    let seen = this.shown.get(node);
    if (seen === undefined) this.shown.set(node, (seen = new Map()));
    let seenHere = seen.get(callId);
    if (seenHere === undefined) seen.set(callId, (seenHere = new Map()));
    for (const p of v.participants) {
      let writes = owners.get(p.peer);
      if (writes === undefined) owners.set(p.peer, (writes = new Map()));
      const rk = registerKey(p);
      const written = writes.get(p.version);
      if (p.peer === node && p.version > 0) {
        if (written === undefined) writes.set(p.version, rk);
        else if (written !== rk) this.fail('owner-versions-unique', node, t, `wrote version ${p.version} of its register in ${callId} twice: ${written} then ${rk}`);
      } else if (p.version > 0 && written !== undefined && written !== rk) {
        this.fail('register-integrity', node, t, `shows ${p.peer} in ${callId} as ${rk} v${p.version}, which ${p.peer} wrote as ${written}`);
      }
      const before = seenHere.get(p.peer) ?? 0;
      if (p.version < before) this.fail('no-going-back', node, t, `shows ${p.peer} in ${callId} at v${p.version} after v${before}`);
      else seenHere.set(p.peer, p.version);
    }
  }

  private fail(invariant: InvariantName, node: PeerId, atMs: number, message: string): void {
    const involves = (e: TraceEvent) => ('node' in e && e.node === node) || ('to' in e && e.to === node) || ('from' in e && e.from === node);
    const context = this.recent
      .events()
      .filter(involves)
      .slice(-CONTEXT)
      .map(encodeTraceEvent);
    this.violations.push({ invariant, requirement: INVARIANTS[invariant][0], node, atMs, message, context });
  }
}

function flags(p: { muted: boolean; deafened: boolean }): string {
  return (p.muted ? '+m' : '') + (p.deafened ? '+d' : '');
}

/** Same call and the same members, in any order. */
function sameMembers(a: string, b: string): boolean {
  const norm = (s: string) => {
    const [call, members = ''] = s.split(': ');
    return `${call}: ${members.split(' ').filter(Boolean).sort().join(' ')}`;
  };
  return norm(a) === norm(b);
}

function registerKey(p: { status: string; muted: boolean; deafened: boolean }): string {
  return p.status + flags(p);
}

function describe(p: { peer: PeerId; status: string; muted: boolean; deafened: boolean; version: number }): string {
  return `${p.peer}:${registerKey(p)} v${p.version}`;
}

/** A stream's mean playout delay (ms) from its webrtc-stats-style counters, when it reports one and has played a frame. */
export function meanPlayoutDelay(view: MediaView): number | undefined {
  const stats = view.stats as { meanPlayoutDelayMs?: unknown; framesPlayed?: unknown } | undefined;
  const delay = stats?.meanPlayoutDelayMs;
  return typeof delay === 'number' && typeof stats?.framesPlayed === 'number' && stats.framesPlayed > 0 ? delay : undefined;
}
