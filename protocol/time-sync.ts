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
 * starts a new exchange: after `retryMs`, or twice the round-trip estimate when that is longer (a slow
 * path is not a lossy one). A reply that comes after a retry still completes its exchange — it echoes
 * its own t1, so its round trip is true — as long as no later exchange completed first; were it
 * refused, every exchange on a path slower than the retry would fail, and on a jittery one only the
 * fast ones would count, biasing the estimate low. Duplicates and replies to exchanges already
 * completed (or overtaken) are ignored, and so is a reply whose t1 is not the one A sent for that
 * exchange (NTP's origin check: a peer's garbage never becomes a sample). B keeps t3 of its last few answers, so a packet 3 that
 * overtakes a newer answer still gives B its sample (a lost packet 3 costs B one sample). After a
 * completed exchange the next starts `intervalMs` later.
 * The round-trip estimate handed on is the mean of the last `window` samples (their round trips kept
 * in a flat ring, summed oldest first): an estimate of the
 * path's mean round trip over that span, stalls and all (a median, or a mean trimmed of its largest
 * sample, would be biased low on the skewed delays of real paths and would drop exactly the exchange
 * a stall caught), beside the latest sample, which is what rises first when a path degrades. The
 * playout controller gets every sample, not this estimate.
 */
import type { Millis, PeerId } from './contract.ts';
import type { MediaMessage } from './media-wire.ts';

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

/** How many of its recent answers (packet 2) B remembers for their packet 3, and A of its packets 1. */
const ANSWERS_KEPT = 4;

/** The time sync with one peer. */
export class TimeSync {
  /** This side starts the exchanges (its id sorts first). */
  readonly initiator: boolean;
  private exchange = 0;
  /** The newest exchange completed on this side (initiator). */
  private completed = 0;
  /** t1 of A's recent packets 1, by exchange id, oldest first. */
  private readonly asked: { readonly id: number; readonly t1: Millis }[] = [];
  private lastAnswered = -1;
  /** t3 of B's recent answers, by exchange id, oldest first. */
  private readonly answers: { readonly id: number; readonly t3: Millis }[] = [];
  /** The recent samples' round trips, oldest first: a ring of `window` (flat, so the mean reads one array). */
  private readonly rtts: Float64Array;
  private rttHead = 0;
  private rttCount = 0;
  private last: SyncSample | undefined;
  /** Local time at which `onTimer` should next be called (initiator only; Infinity otherwise). */
  deadline: Millis = Infinity;

  /** A sync between `self` and `peer`. */
  constructor(
    self: PeerId,
    peer: PeerId,
    private readonly config: TimeSyncConfig,
  ) {
    this.initiator = self < peer;
    this.rtts = new Float64Array(config.window >= 1 ? Math.floor(config.window) : 0);
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
        if (this.initiator || message.id <= this.lastAnswered) return {};
        this.lastAnswered = message.id;
        this.answers.push({ id: message.id, t3: now });
        if (this.answers.length > ANSWERS_KEPT) this.answers.shift();
        return { send: { type: 'sync2', id: message.id, t1: message.t1, t2: now, t3: now } };
      case 'sync2': {
        if (!this.initiator || message.id <= this.completed || this.asked.find((a) => a.id === message.id)?.t1 !== message.t1) return {};
        this.completed = message.id;
        this.deadline = now + this.config.intervalMs;
        const sample = this.record((now - message.t1) - (message.t3 - message.t2), ((message.t2 - message.t1) + (message.t3 - now)) / 2, now);
        return { send: { type: 'sync3', id: message.id, t3: message.t3, t4: now, t5: now }, sample };
      }
      case 'sync3': {
        const k = this.answers.findIndex((a) => a.id === message.id);
        if (this.initiator || k < 0 || message.t3 !== this.answers[k]!.t3) return {};
        this.answers.splice(0, k + 1); // this answer and every older one are done
        return { sample: this.record((now - message.t3) - (message.t5 - message.t4), ((message.t4 - message.t3) + (message.t5 - now)) / 2, now) };
      }
      case 'audio':
        return {};
    }
  }

  /** The round-trip estimate (undefined before the first sample): the mean of the recent samples. */
  get rttMs(): Millis | undefined {
    const n = this.rttCount;
    if (n === 0) return undefined;
    const rtts = this.rtts;
    let sum = 0;
    for (let k = 0, i = this.rttHead; k < n; k++, i = i + 1 === rtts.length ? 0 : i + 1) sum += rtts[i]!;
    return sum / n;
  }

  /** The latest sample. */
  get latest(): SyncSample | undefined {
    return this.last;
  }

  private begin(now: Millis): SyncStep {
    this.exchange++;
    const rtt = this.rttMs;
    this.deadline = now + Math.max(this.config.retryMs, rtt === undefined ? 0 : 2 * rtt);
    this.asked.push({ id: this.exchange, t1: now });
    if (this.asked.length > ANSWERS_KEPT) this.asked.shift();
    return { send: { type: 'sync1', id: this.exchange, t1: now } };
  }

  private record(rttMs: Millis, offsetMs: Millis, at: Millis): SyncSample {
    const sample = { rttMs: Math.max(0, rttMs), offsetMs, at };
    const rtts = this.rtts;
    if (rtts.length > 0) {
      this.last = sample;
      if (this.rttCount === rtts.length) this.rttHead = this.rttHead + 1 === rtts.length ? 0 : this.rttHead + 1;
      else this.rttCount++;
      const slot = this.rttHead + this.rttCount - 1;
      rtts[slot >= rtts.length ? slot - rtts.length : slot] = sample.rttMs;
    }
    return sample;
  }
}
