/**
 * The 3-packet time sync of the seed notes, between this node and one peer over the media channel.
 *
 * Theory of operation (NTP's exchange folded into three packets, see the audio reference): the side
 * whose id sorts first (A) starts an exchange: packet 1 carries t1; B answers at once with packet 2
 * carrying t1, t2 (its receive time) and t3 (its send time); A, at t4, learns
 * RTT_A = (t4 − t1) − (t3 − t2) and offset θ_A = ½[(t2 − t1) + (t3 − t4)] (B's clock minus A's), and sends
 * packet 3 with t3, t4, t5; B, at t6, learns RTT_B = (t6 − t3) − (t5 − t4) and θ_B = ½[(t4 − t3) + (t5 − t6)].
 * Each side uses only its own clock readings for its round trip, so clock offsets cancel; drift only
 * scales the (tiny) processing gap. Exchanges are numbered: a duplicate or a packet of an older exchange
 * is ignored, and if packet 2 does not come back within `retryMs` A starts a new exchange (a lost
 * packet 3 costs B one sample). After a completed exchange the next starts `intervalMs` later.
 * The round-trip estimate handed on is the median of the last few samples (robust to one delayed or
 * bunched exchange), beside the latest sample, which is what rises first when a path degrades.
 */
import type { Millis, PeerId } from './contract.ts';
import type { MediaMessage } from './media-wire.ts';

/** Time sync constants. */
export interface TimeSyncConfig {
  /** Gap between completed exchanges (ms). */
  readonly intervalMs: number;
  /** How long A waits for packet 2 before starting a new exchange (ms). */
  readonly retryMs: number;
  /** Samples kept for the median-filtered round trip. */
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

/** The time sync with one peer. */
export class TimeSync {
  /** This side starts the exchanges (its id sorts first). */
  readonly initiator: boolean;
  private exchange = 0;
  private sentAt: Millis | undefined;
  private lastAnswered = -1;
  private pendingT3: { id: number; t3: Millis } | undefined;
  private readonly samples: SyncSample[] = [];
  /** Local time at which `onTimer` should next be called (initiator only; Infinity otherwise). */
  deadline: Millis = Infinity;

  /** A sync between `self` and `peer`. */
  constructor(
    self: PeerId,
    peer: PeerId,
    private readonly config: TimeSyncConfig,
  ) {
    this.initiator = self < peer;
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
        this.pendingT3 = { id: message.id, t3: now };
        return { send: { type: 'sync2', id: message.id, t1: message.t1, t2: now, t3: now } };
      case 'sync2': {
        if (!this.initiator || message.id !== this.exchange || this.sentAt === undefined) return {};
        this.sentAt = undefined;
        this.deadline = now + this.config.intervalMs;
        const sample = this.record((now - message.t1) - (message.t3 - message.t2), ((message.t2 - message.t1) + (message.t3 - now)) / 2, now);
        return { send: { type: 'sync3', id: message.id, t3: message.t3, t4: now, t5: now }, sample };
      }
      case 'sync3': {
        const pending = this.pendingT3;
        if (this.initiator || pending === undefined || message.id !== pending.id || message.t3 !== pending.t3) return {};
        this.pendingT3 = undefined;
        return { sample: this.record((now - message.t3) - (message.t5 - message.t4), ((message.t4 - message.t3) + (message.t5 - now)) / 2, now) };
      }
      case 'audio':
        return {};
    }
  }

  /** The round-trip estimate: the median of the recent samples (undefined before the first). */
  get rttMs(): Millis | undefined {
    if (this.samples.length === 0) return undefined;
    const sorted = this.samples.map((s) => s.rttMs).sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  }

  /** The latest sample. */
  get latest(): SyncSample | undefined {
    return this.samples[this.samples.length - 1];
  }

  private begin(now: Millis): SyncStep {
    this.exchange++;
    this.sentAt = now;
    this.deadline = now + this.config.retryMs;
    return { send: { type: 'sync1', id: this.exchange, t1: now } };
  }

  private record(rttMs: Millis, offsetMs: Millis, at: Millis): SyncSample {
    const sample = { rttMs: Math.max(0, rttMs), offsetMs, at };
    this.samples.push(sample);
    if (this.samples.length > this.config.window) this.samples.shift();
    return sample;
  }
}
