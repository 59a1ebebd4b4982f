/**
 * The 3-packet time sync of the seed notes, between this node and one peer over the media channel.
 *
 * Theory of operation (NTP's exchange folded into three packets, see the audio reference): the side
 * whose id sorts first (A) starts an exchange: packet 1 carries t1; B answers at once with packet 2
 * carrying t1, t2 (its receive time) and t3 (its send time); A, at t4, learns
 * RTT_A = (t4 − t1) − (t3 − t2) and offset θ_A = ½[(t2 − t1) + (t3 − t4)] (B's clock minus A's), and sends
 * packet 3 with t3, t4, t5; B, at t6, learns RTT_B = (t6 − t3) − (t5 − t4) and θ_B = ½[(t4 − t3) + (t5 − t6)].
 * Each side uses only its own clock readings for its round trip, so clock offsets cancel; drift only
 * scales the (tiny) processing gap. Exchanges are numbered. If packet 2 does not come back in time A
 * starts a new exchange: after `retryMs`, or twice the exchanges' mean round trip when that is longer
 * (a slow path is not a lossy one), but at most 3 s. A reply that comes after a retry still completes
 * its exchange — it echoes its own t1, so its round trip is true — as long as no later exchange
 * completed first; were it
 * refused, every exchange on a path slower than the retry would fail, and on a jittery one only the
 * fast ones would count, biasing the estimate low. Duplicates and replies to exchanges already
 * completed (or overtaken) are ignored, and so is a reply whose t1 is not the one A sent for that
 * exchange (NTP's origin check: a peer's garbage never becomes a sample). B answers each exchange
 * once, by its id among its last few answers, not only ids above the last: a peer that started afresh
 * (restarted, or left and rejoined while B did not notice) counts from 1 again, and must not wait
 * until its numbers pass the old ones; A's origin check refuses the answer to a stale packet 1. B
 * keeps t3 of its last few answers, so a packet 3 that overtakes a newer answer still gives B its
 * sample (a lost packet 3 costs B one sample). After a completed exchange the next starts
 * `intervalMs` later.
 * The exchanges' estimate is the mean of the last `window` samples: the path's mean round trip over
 * that span, stalls and all (a median, or a mean trimmed of its largest sample, would be biased low on
 * the skewed delays of real paths and would drop exactly the exchange a stall caught). Four exchanges
 * a second sample a path thinly, though, and audio crosses it fifty times a second each way; so every
 * sync packet also carries its sender's *delay half* (given by the media plane): the mean relative
 * delay r = arrival − media time of the audio it received from the peer over the span, plus the mean
 * lead of its own media clock over its send times. A's half is mean(d_BA) − θ − lead_B + lead_A, B's
 * is mean(d_AB) + θ − lead_A + lead_B (θ: B's clock minus A's), so the two add up to the audio's mean
 * round trip, exactly, whatever the clocks: the estimate handed on (`roundTripMs`) is that sum while
 * both halves are known and the peer's is fresh (audio flows both ways), else the exchanges' mean. A
 * half is taken only from a packet the exchange accepts, so a peer's garbage never becomes one.
 * A clock that steps (either end's) shifts the relative delays on one side of the step, so the halves
 * are wrong until the span has passed. An offset that moves between any two exchanges since the last
 * step by more than their round trips' halves and drift can explain (an offset estimate is off by at
 * most half its round trip) is a step, and the exchanges' mean starts afresh (one of them measured the
 * step); so is a round trip below zero (a clock stepped back within that exchange, which is not kept).
 * After a step the halves rest for a span. An app that was frozen (the media plane sees no input for
 * longer than its frame tick allows) ignores the sync packets that waited in its inbox: taken now, they
 * would measure the freeze as a path seconds long (packets in flight across a freeze are not delayed by
 * it; only those it held are).
 * The playout controller gets every exchange's round trip, not this estimate, and with it the clock
 * offset of the window's sample with the least error bound (`bestOffsetMs`).
 */
import type { Millis, PeerId } from './contract.ts';
import type { MediaMessage } from './media-wire.ts';

/** This side's delay half at `now` (see the header), or undefined when it has none. */
export type DelayHalfSource = (now: Millis) => number | undefined;

/** Time sync constants. */
export interface TimeSyncConfig {
  /** Gap between completed exchanges (ms). */
  readonly intervalMs: number;
  /** How long A waits for packet 2 before starting a new exchange (ms). */
  readonly retryMs: number;
  /** Samples the round-trip estimate averages. */
  readonly window: number;
}

/** What one completed exchange taught this side. */
export interface SyncSample {
  /** Round trip (ms), from this side's own clock readings. */
  readonly rttMs: Millis;
  /** The peer's clock minus this node's (ms); exact only on a symmetric path. */
  readonly offsetMs: Millis;
  /** Local time of the sample. */
  readonly at: Millis;
}

/** The result of handing the time sync a packet or a timer. */
export interface SyncStep {
  /** A packet to send to the peer, if any. */
  readonly send?: MediaMessage;
  /** A new sample, if an exchange completed on this side. */
  readonly sample?: SyncSample;
}

/** Slack on a clock offset's move between exchanges before it counts as a step (ms): processing gaps. */
const STEP_MARGIN_MS = 1;

/** Further slack per ms between the two exchanges: clocks drifting apart (2000 ppm, twice the worst pair of ±500 ppm crystals). */
const DRIFT_SLACK = 0.002;

/** The longest a retry waits, however slow the path looks (ms). */
const MAX_RETRY_WAIT_MS = 3000;

/** How many of its recent answers (packet 2) B remembers for their packet 3, and A of its packets 1. */
const ANSWERS_KEPT = 4;

/** t1 of the exchange `id` among A's recent packets 1 (ids are distinct), or undefined. */
function askedT1(asked: readonly { readonly id: number; readonly t1: Millis }[], id: number): Millis | undefined {
  for (const a of asked) if (a.id === id) return a.t1;
  return undefined;
}

/** The time sync with one peer. */
export class TimeSync {
  /** This side starts the exchanges (its id sorts first). */
  readonly initiator: boolean;
  private exchange = 0;
  /** The newest exchange completed on this side (initiator). */
  private completed = 0;
  /** t1 of A's recent packets 1, by exchange id, oldest first. */
  private readonly asked: { readonly id: number; readonly t1: Millis }[] = [];
  /** Ids of B's last few answers, oldest first (not spliced by packet 3: a duplicate packet 1 stays answered). */
  private readonly answered: number[] = [];
  /** t3 of B's recent answers, by exchange id, oldest first. */
  private readonly answers: { readonly id: number; readonly t3: Millis }[] = [];
  /**
   * The last `window` samples, oldest first, as a ring of three flat arrays from `first` (`count` of
   * them): every exchange holds its offset against each of them, and plain numbers are read without a
   * look at an object's shape. `newest` is the latest sample's record.
   */
  private readonly rtts: Float64Array;
  private readonly offsets: Float64Array;
  private readonly ats: Float64Array;
  private first = 0;
  private count = 0;
  private newest: SyncSample | undefined;
  /** The peer's latest delay half and when it came (local time). */
  private peerHalf: number | undefined;
  private peerHalfAt = -Infinity;
  /** When an exchange last saw a clock step (local time): the halves rest for a span after it (their delays mix two clocks). */
  private lastStepAt = -Infinity;
  /** Local time at which `onTimer` should next be called (initiator only; Infinity otherwise). */
  deadline: Millis = Infinity;

  /** A sync between `self` and `peer`; `half` gives this side's delay half for its packets (none: no halves). */
  constructor(
    self: PeerId,
    peer: PeerId,
    private readonly config: TimeSyncConfig,
    private readonly half?: DelayHalfSource,
  ) {
    this.initiator = self < peer;
    const window = Math.max(0, config.window);
    this.rtts = new Float64Array(window);
    this.offsets = new Float64Array(window);
    this.ats = new Float64Array(window);
  }

  /** Begin: the initiator sends packet 1 now. */
  start(now: Millis): SyncStep {
    return this.initiator ? this.begin(now) : {};
  }

  /** The deadline passed: the initiator starts a new exchange (a retry or the next period). */
  onTimer(now: Millis): SyncStep {
    return this.initiator && now >= this.deadline ? this.begin(now) : {};
  }

  /** A sync packet arrived from the peer. */
  onMessage(message: MediaMessage, now: Millis): SyncStep {
    switch (message.type) {
      case 'sync1':
        // answered once; any other id is a new exchange, even one numbered lower: the peer started
        // afresh (it restarted, or left and came back while we did not notice) and counts from 1 again
        if (this.initiator || this.answered.includes(message.id)) return {};
        this.answered.push(message.id);
        if (this.answered.length > ANSWERS_KEPT) this.answered.shift();
        this.answers.push({ id: message.id, t3: now });
        if (this.answers.length > ANSWERS_KEPT) this.answers.shift();
        this.notePeerHalf(message.half, now);
        // each packet is built whole, with or without a half: every kind keeps two fixed shapes
        const half = this.half?.(now);
        return { send: half === undefined ? { type: 'sync2', id: message.id, t1: message.t1, t2: now, t3: now } : { type: 'sync2', id: message.id, t1: message.t1, t2: now, t3: now, half } };
      case 'sync2': {
        if (!this.initiator || message.id <= this.completed || askedT1(this.asked, message.id) !== message.t1) return {};
        this.completed = message.id;
        this.deadline = now + this.config.intervalMs;
        this.notePeerHalf(message.half, now);
        const sample = this.record((now - message.t1) - (message.t3 - message.t2), ((message.t2 - message.t1) + (message.t3 - now)) / 2, now);
        const half = this.half?.(now);
        return { send: half === undefined ? { type: 'sync3', id: message.id, t3: message.t3, t4: now, t5: now } : { type: 'sync3', id: message.id, t3: message.t3, t4: now, t5: now, half }, sample };
      }
      case 'sync3': {
        let k = this.answers.length - 1;
        while (k >= 0 && this.answers[k]!.id !== message.id) k--;
        if (this.initiator || k < 0 || message.t3 !== this.answers[k]!.t3) return {};
        this.answers.splice(0, k + 1); // this answer and every older one are done
        this.notePeerHalf(message.half, now);
        return { sample: this.record((now - message.t3) - (message.t5 - message.t4), ((message.t4 - message.t3) + (message.t5 - now)) / 2, now) };
      }
      case 'audio':
        return {};
    }
  }

  /**
   * The round-trip estimate at `now` (undefined before the first sample): the two ends' delay halves
   * added up while both are known and the peer's is at most a window of exchanges old, else the mean
   * of the recent exchanges.
   */
  roundTripMs(now: Millis): Millis | undefined {
    const own = this.half?.(now);
    if (own !== undefined && this.peerHalf !== undefined && now >= this.lastStepAt + this.span && now - this.peerHalfAt <= this.span) return Math.max(0, own + this.peerHalf);
    return this.exchangeMeanMs;
  }

  /** The mean round trip of the recent exchanges (undefined before the first sample). */
  get exchangeMeanMs(): Millis | undefined {
    const n = this.count;
    if (n === 0) return undefined;
    let sum = 0;
    for (let k = 0, i = this.first; k < n; k++, i = i + 1 === this.rtts.length ? 0 : i + 1) sum += this.rtts[i]!;
    return sum / n;
  }

  /** The latest sample. */
  get latest(): SyncSample | undefined {
    return this.newest;
  }

  /**
   * The clock offset (the peer's clock minus ours, ms) best known as of the latest sample: of the
   * samples since the last step, the one whose error bound is least — half its round trip, plus the
   * drift since — as NTP's clock filter picks its sample. An exchange that a frozen app answered
   * seconds late measures its offset to within seconds only; it must not outweigh the ones around it.
   * Undefined before the first sample; the latest sample's own when none since the last step is kept.
   */
  get bestOffsetMs(): Millis | undefined {
    const latest = this.newest;
    if (latest === undefined) return undefined;
    let best = latest.offsetMs;
    let bound = Infinity;
    const { rtts, offsets, ats } = this;
    const size = rtts.length;
    for (let k = 0, i = this.first; k < this.count; k++, i = i + 1 === size ? 0 : i + 1) {
      if (ats[i]! <= this.lastStepAt) continue;
      const b = rtts[i]! / 2 + (latest.at - ats[i]!) * DRIFT_SLACK;
      if (b < bound) {
        bound = b;
        best = offsets[i]!;
      }
    }
    return best;
  }

  private begin(now: Millis): SyncStep {
    this.exchange++;
    // the exchanges' own round trip, not the audio's (an app that was frozen took its audio in late, all
    // at once: the halves read that as a path seconds long), and never so long that a lost packet 2
    // leaves the path unmeasured for longer than MAX_RETRY_WAIT_MS
    const rtt = this.exchangeMeanMs;
    this.deadline = now + Math.max(this.config.retryMs, rtt === undefined ? 0 : Math.min(2 * rtt, MAX_RETRY_WAIT_MS));
    this.asked.push({ id: this.exchange, t1: now });
    if (this.asked.length > ANSWERS_KEPT) this.asked.shift();
    const half = this.half?.(now);
    return { send: half === undefined ? { type: 'sync1', id: this.exchange, t1: now } : { type: 'sync1', id: this.exchange, t1: now, half } };
  }

  /** An accepted packet carried the peer's half (or none: its audio or ours stopped). */
  private notePeerHalf(half: number | undefined, now: Millis): void {
    this.peerHalf = half;
    this.peerHalfAt = now;
  }

  /** The span of the estimate: a window of exchanges (ms). */
  private get span(): Millis {
    return this.config.window * this.config.intervalMs;
  }

  private record(rttMs: Millis, offsetMs: Millis, at: Millis): SyncSample {
    const sample = { rttMs: Math.max(0, rttMs), offsetMs, at };
    // a round trip below zero measured a clock stepped back during the exchange, not the path; else the
    // offset is held against every sample since the last step: the exchange a step fell into has a
    // round trip (and so a bound) as large as the step, the one after it does not
    if (rttMs < -STEP_MARGIN_MS) {
      this.lastStepAt = at;
      return sample;
    }
    const { rtts, offsets, ats } = this;
    const size = rtts.length;
    for (let k = 0, i = this.first; k < this.count; k++, i = i + 1 === size ? 0 : i + 1) {
      const sAt = ats[i]!;
      if (sAt <= this.lastStepAt || Math.abs(offsetMs - offsets[i]!) <= (sample.rttMs + rtts[i]!) / 2 + STEP_MARGIN_MS + (at - sAt) * DRIFT_SLACK) continue;
      this.lastStepAt = at;
      this.count = 0; // one of them measured the step, not the path
      break;
    }
    this.newest = size === 0 ? undefined : sample;
    if (size === 0) return sample;
    // keep the last `window`: a full ring drops its oldest for the new one
    let i = this.first + this.count;
    if (i >= size) i -= size;
    rtts[i] = sample.rttMs;
    offsets[i] = offsetMs;
    ats[i] = at;
    if (this.count < size) this.count++;
    else this.first = this.first + 1 === size ? 0 : this.first + 1;
    return sample;
  }
}
