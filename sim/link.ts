/**
 * One link direction on one channel (e.g. alice → bob, media): the impairment pipeline a packet crosses.
 *
 * Theory of operation. At send (`transmit`), in netem's order:
 *   1. duplicate? then loss? (netem: a duplicated packet that is "lost" simply goes once; a duplicate
 *      that survives re-enters the pipeline as its own packet, without duplication);
 *   2. corruption: one random bit of a copy of the bytes is flipped (netem `corrupt`);
 *   3. capacity (libwebrtc): serialisation at `rateKbps` behind earlier packets, tail drop when
 *      `queuePackets` are already waiting;
 *   4. delay = max(0, delayMs + jitterMs · quantile(u)), u netem-correlated; with `reorder` a packet
 *      (after `reorderGap` − 1 normal ones) skips the delay; with `allowReordering` false its arrival is
 *      clamped to the previous arrival.
 * Every time a link computes (arrivals, slot openings, stall windows) is rounded to the microsecond, so
 * traces are readable and canonical. The arrival is one event. At arrival (`arrive`) the delivery gates apply in order: a held
 * link keeps the packet until `release`; inside a random stall the packet waits for the stall's end;
 * with `slot` it waits for the next slot opening (netem's slot_next / packets_left / bytes_left rules).
 * Stall windows are drawn lazily from their own stream; queries come in time order because arrivals
 * are events. Every concern draws from its own named stream, so turning loss on does not move delays.
 */
import type { Channel, PeerId } from '../protocol/contract.ts';
import { DelayTruth } from './delay-truth.ts';
import { CorrelatedUniform, delaySample } from './distributions.ts';
import type { LinkModel } from './link-config.ts';
import { makeLossProcess, type LossProcess } from './loss.ts';
import type { RandomStream, RandomStreams } from './random.ts';
import type { Scheduler } from './scheduler.ts';
import type { DropReason, TraceHooks } from './trace.ts';

/** A message in flight. */
export interface Packet {
  /** Unique id within the world (duplicates get their own). */
  readonly id: number;
  /** Sender. */
  readonly from: PeerId;
  /** Receiver. */
  readonly to: PeerId;
  /** Channel it travels on. */
  readonly channel: Channel;
  /** The encoded message (a corrupted packet carries a corrupted copy). */
  readonly bytes: Uint8Array;
  /** Global time it was sent. */
  readonly sentAt: number;
}

/** What a link needs from its world. */
export interface LinkEnv {
  /** The world's scheduler. */
  readonly scheduler: Scheduler;
  /** A fresh packet id. */
  nextPacketId(): number;
  /** The trace hooks, one per kind someone listens to. */
  readonly trace: TraceHooks;
  /** Account a packet the link dropped. */
  dropped(packet: Packet, reason: DropReason): void;
}

/** Counters of one link direction (a snapshot: `Link.stats`). */
export interface LinkStats {
  /** Packets offered to the link (duplicates included). */
  readonly sent: number;
  /** Lost to the loss model. */
  readonly lost: number;
  /** Tail-dropped at the capacity queue. */
  readonly queueDrops: number;
  /** Duplicates created. */
  readonly duplicated: number;
  /** Packets corrupted. */
  readonly corrupted: number;
  /** Packets sent ahead by `reorder`. */
  readonly reordered: number;
  /** Packets that waited for a stall to end. */
  readonly stalled: number;
  /** Packets that cleared the link (handed on to the receiver, unless a partition or a crash stops them). */
  readonly delivered: number;
  /**
   * Ground truth: the mean one-way delay of the packets that cleared the link (send to arrival, ms,
   * every wait of the path included: queues, stalls, slots; a `hold` fault's is not) that arrived in
   * the `TRUE_DELAY_WINDOW_MS` up to the latest one; undefined before the first.
   */
  readonly meanDelayMs: number | undefined;
  /** The smallest send-to-arrival time of any packet that cleared the link since creation (a `hold` fault's wait included, ms); Infinity before the first. */
  readonly minDelayMs: number;
  /** The largest such time (ms); −Infinity before the first. */
  readonly maxDelayMs: number;
}

/** One link direction on one channel. */
export class Link {
  // counters since creation, on the link itself (a packet touches the link anyway): see `stats`
  private sent = 0;
  private lost = 0;
  private queueDrops = 0;
  private duplicated = 0;
  private corrupted = 0;
  private reordered = 0;
  private stalled = 0;
  private delivered = 0;
  private model!: LinkModel;
  private loss!: LossProcess;
  private readonly delayU: CorrelatedUniform;
  private readonly reorderU: CorrelatedUniform;
  private readonly dupStream: RandomStream;
  private readonly corruptStream: RandomStream;
  private readonly lossStream: RandomStream;
  private readonly slotStream: RandomStream;
  private readonly stallStream: RandomStream;
  // capacity queue: departure times of packets not yet serialised (FIFO)
  private departures: number[] = [];
  private departuresHead = 0;
  private lastDeparture = -Infinity;
  private lastArrival = -Infinity;
  private reorderCounter = 0;
  // gates
  private heldPackets: Packet[] | null = null;
  private stallStart = Infinity;
  private stallEnd = -Infinity;
  private slotNext = -Infinity;
  private slotPackets = 0;
  private slotBytes = 0;
  private slotQueue: Packet[] = [];
  private slotPending = false;
  private readonly truth = new DelayTruth();
  private minDelay = Infinity;
  private maxDelay = -Infinity;
  private readonly arriveAction = (p: Packet) => this.arrive(p);
  private readonly openSlotAction = () => this.openSlot();

  /** A link from `from` to `to` on `channel`, drawing from streams named after it; what clears it goes to `arrived`. */
  constructor(
    readonly from: PeerId,
    readonly to: PeerId,
    readonly channel: Channel,
    model: LinkModel,
    streams: RandomStreams,
    private readonly env: LinkEnv,
    private readonly onArrived: (packet: Packet) => void,
  ) {
    const prefix = `link/${from}>${to}/${channel}/`;
    this.delayU = new CorrelatedUniform(streams.stream(prefix + 'delay'), model.delayCorrelation);
    this.reorderU = new CorrelatedUniform(streams.stream(prefix + 'reorder'), model.reorderCorrelation);
    this.dupStream = streams.stream(prefix + 'duplicate');
    this.corruptStream = streams.stream(prefix + 'corrupt');
    this.lossStream = streams.stream(prefix + 'loss');
    this.slotStream = streams.stream(prefix + 'slot');
    this.stallStream = streams.stream(prefix + 'stall');
    this.setModel(model);
  }

  /** Counters since creation (a snapshot). */
  get stats(): LinkStats {
    return {
      sent: this.sent,
      lost: this.lost,
      queueDrops: this.queueDrops,
      duplicated: this.duplicated,
      corrupted: this.corrupted,
      reordered: this.reordered,
      stalled: this.stalled,
      delivered: this.delivered,
      meanDelayMs: this.truth.meanMs,
      minDelayMs: this.minDelay,
      maxDelayMs: this.maxDelay,
    };
  }

  /** The current model. */
  get current(): LinkModel {
    return this.model;
  }

  /** True while the link is held (see `hold`). */
  get isHeld(): boolean {
    return this.heldPackets !== null;
  }

  /** Replace the model mid-run; loss and stall processes restart only when their settings change. */
  setModel(model: LinkModel): void {
    const previous = this.model;
    this.model = model;
    this.delayU.rho = model.delayCorrelation;
    this.reorderU.rho = model.reorderCorrelation;
    if (previous === undefined || JSON.stringify(previous.loss) !== JSON.stringify(model.loss)) {
      this.loss = makeLossProcess(model.loss, this.lossStream);
    }
    if (previous === undefined || JSON.stringify(previous.stall) !== JSON.stringify(model.stall)) {
      this.stallStart = Infinity;
      this.stallEnd = -Infinity;
      if (model.stall !== null) this.drawStall(this.env.scheduler.now);
    }
  }

  /** Offer a packet to the link at the current time. */
  transmit(packet: Packet, mayDuplicate = true): void {
    const m = this.model;
    const now = this.env.scheduler.now;
    this.sent++;
    const duplicated = mayDuplicate && m.duplicate > 0 && this.dupStream.nextFloat() < m.duplicate;
    const lost = this.loss.lost();
    if (lost && !duplicated) {
      this.lost++;
      this.env.dropped(packet, 'loss');
      return;
    }
    if (duplicated && !lost) {
      const copy: Packet = { ...packet, id: this.env.nextPacketId() };
      this.duplicated++;
      this.env.trace.duplicate?.({ kind: 'duplicate', t: now, node: packet.from, to: packet.to, channel: packet.channel, packet: packet.id, copy: copy.id });
      this.enqueue(this.maybeCorrupt(packet), now);
      this.transmit(copy, false);
      return;
    }
    this.enqueue(this.maybeCorrupt(packet), now);
  }

  /** Stop delivering: everything that arrives is kept until `release`. */
  hold(): void {
    if (this.heldPackets === null) this.heldPackets = [];
  }

  /** Deliver everything held, at once and in arrival order; returns how many. */
  release(): number {
    const held = this.heldPackets;
    this.heldPackets = null;
    if (held === null) return 0;
    for (const p of held) this.arrived(p, false);
    return held.length;
  }

  private maybeCorrupt(packet: Packet): Packet {
    const m = this.model;
    if (m.corrupt === 0 || packet.bytes.length === 0 || !(this.corruptStream.nextFloat() < m.corrupt)) return packet;
    const bytes = packet.bytes.slice();
    const byte = this.corruptStream.nextInt(bytes.length);
    const bit = this.corruptStream.nextInt(8);
    bytes[byte] = bytes[byte]! ^ (1 << bit);
    this.corrupted++;
    this.env.trace.corrupt?.({ kind: 'corrupt', t: this.env.scheduler.now, node: packet.from, to: packet.to, channel: packet.channel, packet: packet.id, byte, bit });
    return { ...packet, bytes };
  }

  private enqueue(packet: Packet, now: number): void {
    const m = this.model;
    let departure = now;
    if (m.rateKbps > 0) {
      const d = this.departures;
      while (this.departuresHead < d.length && d[this.departuresHead]! <= now) this.departuresHead++;
      if (this.departuresHead > 1024 && this.departuresHead * 2 > d.length) {
        this.departures = d.slice(this.departuresHead);
        this.departuresHead = 0;
      }
      if (m.queuePackets > 0 && this.departures.length - this.departuresHead >= m.queuePackets) {
        this.queueDrops++;
        this.env.dropped(packet, 'queue');
        return;
      }
      const bits = (packet.bytes.length + m.packetOverheadBytes) * 8;
      departure = Math.max(now, this.lastDeparture) + bits / m.rateKbps; // kbit/s = bits per ms
      this.lastDeparture = departure;
      this.departures.push(departure);
    }
    let arrival: number;
    if (m.reorder > 0 && this.reorderCounter >= m.reorderGap - 1 && this.reorderU.next() < m.reorder) {
      this.reorderCounter = 0;
      this.reordered++;
      arrival = departure;
    } else {
      this.reorderCounter++;
      arrival = departure + delaySample(m.distribution, m.delayMs, m.jitterMs, m.jitterMs === 0 ? 0 : this.delayU.next());
      if (!m.allowReordering && arrival < this.lastArrival) arrival = this.lastArrival;
    }
    arrival = Math.max(now, onGrid(arrival));
    if (arrival > this.lastArrival) this.lastArrival = arrival;
    this.env.scheduler.schedule(arrival, this.arriveAction, packet);
  }

  /** The packet cleared the link: account its true delay (unless a `hold` fault kept it) and hand it on. */
  private arrived(packet: Packet, pathDelay = true): void {
    const now = this.env.scheduler.now;
    this.delivered++;
    const delay = now - packet.sentAt;
    if (pathDelay) this.truth.add(now, delay);
    if (delay < this.minDelay) this.minDelay = delay;
    if (delay > this.maxDelay) this.maxDelay = delay;
    this.onArrived(packet);
  }

  private arrive(packet: Packet): void {
    if (this.heldPackets !== null) {
      this.heldPackets.push(packet);
      return;
    }
    const m = this.model;
    const now = this.env.scheduler.now;
    if (m.stall !== null) {
      while (now >= this.stallEnd) this.drawStall(this.stallEnd);
      if (now >= this.stallStart) {
        this.stalled++;
        this.env.scheduler.schedule(this.stallEnd, this.arriveAction, packet);
        return;
      }
    }
    if (m.slot !== null) {
      this.slotQueue.push(packet);
      if (!this.slotPending) {
        if (this.slotNext < now) this.drawSlot(now);
        this.slotPending = true;
        this.env.scheduler.schedule(this.slotNext, this.openSlotAction, undefined);
      }
      return;
    }
    this.arrived(packet);
  }

  private drawStall(from: number): void {
    const s = this.model.stall!;
    const gap = -Math.log(this.stallStream.nextOpenFloat()) * s.meanIntervalMs;
    const length = s.fixedDuration ? s.meanDurationMs : -Math.log(this.stallStream.nextOpenFloat()) * s.meanDurationMs;
    this.stallStart = onGrid(from + gap);
    this.stallEnd = onGrid(this.stallStart + length);
  }

  private drawSlot(now: number): void {
    const s = this.model.slot;
    if (s === null) return;
    this.slotNext = Math.max(now, onGrid(now + s.minMs + this.slotStream.nextFloat() * (s.maxMs - s.minMs)));
    this.slotPackets = s.packets ?? Infinity;
    this.slotBytes = s.bytes ?? Infinity;
  }

  private openSlot(): void {
    this.slotPending = false;
    const now = this.env.scheduler.now;
    const queue = this.slotQueue;
    let i = 0;
    while (i < queue.length) {
      const p = queue[i++]!;
      this.slotPackets--;
      this.slotBytes -= p.bytes.length;
      this.arrived(p);
      if (this.slotPackets <= 0 || this.slotBytes <= 0) {
        this.drawSlot(now);
        break;
      }
    }
    this.slotQueue = queue.slice(i);
    if (this.slotQueue.length > 0) {
      if (this.model.slot === null) {
        // slot batching was switched off while packets waited: let them through now
        const rest = this.slotQueue;
        this.slotQueue = [];
        for (const p of rest) this.arrived(p);
        return;
      }
      this.slotPending = true;
      this.env.scheduler.schedule(this.slotNext, this.openSlotAction, undefined);
    }
  }
}

/** Round a time to the simulator's microsecond grain. */
function onGrid(t: number): number {
  return Math.round(t * 1e3) / 1e3;
}
