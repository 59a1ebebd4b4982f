/**
 * The jitter-buffer core shared by every playout algorithm: the queue, the playout cursor, late
 * detection and the accounting. An algorithm is a `PlayoutPolicy` that only decides, at each tick,
 * whether the playout moves on, holds, or drops frames to catch up.
 *
 * Theory of operation. Frames are queued by sequence number. The *cursor* is the next frame to play;
 * before playout starts it is the lowest frame received. At every tick the policy returns a `TickPlan`:
 *   - `advance`: play the cursor frame, or conceal it when it is missing (`conceal`), and move on;
 *   - `hold`: do not consume media time; the tick is a `stretch` when the cursor frame is there and an
 *     `expand` (concealment while waiting) when it is not; the playout offset grows by one frame;
 *   - `drop n`: pass over n frames first (received ones are discarded for latency, missing ones are
 *     skipped), then advance; the playout offset shrinks by n frames.
 * Before the first `advance` or `drop`, ticks are `silence` (prebuffering). A frame passed while
 * missing may still arrive: it is then late, discarded and counted as late loss. A packet inserted
 * into a buffer already holding `capacityPackets` flushes it (NetEQ's overflow rule) and playout
 * continues from the new packet. A gap of more than `MAX_GAP_FRAMES` missing frames ahead of the cursor
 * is a renumbering, not loss: the cursor moves across it at once (a flush too), its frames never due.
 * Duplicates are counted and ignored. Every frame the cursor passes is due exactly once (played or
 * not), which is what the stats and the degradation ledger count.
 * The queue is a `FrameTable`: open addressing on the sequence number (consecutive frames land in
 * consecutive slots), so a packet's insertion and removal touch a slot or two and allocate nothing (a
 * removed frame's record is kept for the next insertion), and the last lookup is remembered until the
 * table changes (a tick asks for the cursor frame several times); a flush discards in arrival order, as
 * a `Map` would iterate. The tick's audio output is one record per buffer, refilled every tick (the
 * owner drains the outputs after every input: playout.ts).
 */
import { assertNever, type Millis } from '../contract.ts';
import { OutputQueue } from '../output-queue.ts';
import { DegradationLedger } from './degradation-ledger.ts';
import { FRAME_MS, type DiscardReason, type PlayoutController, type PlayoutEvent, type PlayoutInput, type PlayoutOutput, type TickAudio } from './playout.ts';
import { PlayoutStatsRecorder, type PlayoutStats } from './playout-stats.ts';

/** A policy's decision for one tick. */
export type TickPlan =
  /** Play the cursor frame (or conceal it when missing) and move on. */
  | { readonly type: 'advance' }
  /** Hold the playout for one frame (stretch, or expand while waiting). */
  | { readonly type: 'hold' }
  /** Pass over `count` frames (discarding those received), then advance. */
  | { readonly type: 'drop'; readonly count: number };

/** A type with its fields writable (the core's reused records). */
type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** The silence of a tick before playout starts (it carries nothing: one for every buffer). */
const SILENCE: TickAudio = Object.freeze({ type: 'silence' });

/** The shared plans, so policies allocate nothing per tick. */
export const ADVANCE: TickPlan = Object.freeze({ type: 'advance' });

/** The shared hold plan. */
export const HOLD: TickPlan = Object.freeze({ type: 'hold' });

/**
 * The widest gap the cursor passes frame by frame (2^16 frames: 22 minutes of audio). Across a wider one
 * the sender renumbered its frames (RFC 3550 treats a jump past its MAX_DROPOUT the same way): playout
 * resumes at the far frame and the frames between were never due.
 */
export const MAX_GAP_FRAMES = 65_536;

/** A drop plan of `count` frames (an advance when `count` is 0). */
export function drop(count: number): TickPlan {
  return count <= 0 ? ADVANCE : { type: 'drop', count };
}

/** A queued frame. */
export interface QueuedFrame {
  /** Sequence number. */
  readonly seq: number;
  /** Capture time on the sender's media clock (ms). */
  readonly mediaMs: Millis;
  /** Local arrival time (ms). */
  readonly arrivalMs: Millis;
}

/** What a policy learns about one arrival (the core reuses one note: it is valid during the call only). */
export interface ArrivalNote {
  /** Sequence number. */
  readonly seq: number;
  /** Capture time on the sender's media clock (ms). */
  readonly mediaMs: Millis;
  /** Local arrival time (ms). */
  readonly now: Millis;
  /** It came after its playout time and was discarded. */
  readonly late: boolean;
  /** The buffer was full: everything queued was flushed before this packet went in. */
  readonly flushed: boolean;
}

/** A time-sync sample as a policy sees it. */
export interface TimeSyncNote {
  /** Local time of the sample (ms). */
  readonly now: Millis;
  /** Round-trip time (ms). */
  readonly rttMs: Millis;
  /** Sender's clock minus ours (ms), when measured. */
  readonly clockOffsetMs?: Millis;
}

/** The buffer as a policy sees it: read-only. */
export interface BufferView {
  /** Time of the input being handled (ms). */
  readonly now: Millis;
  /** Playout has started (a frame was played or concealed). */
  readonly started: boolean;
  /** The next frame to play; undefined before any arrival. */
  readonly cursor: number | undefined;
  /** Frames queued (at or after the cursor). */
  readonly queued: number;
  /** Highest sequence number received so far. */
  readonly newestSeq: number | undefined;
  /** Time of the first arrival (ms). */
  readonly firstArrivalMs: Millis | undefined;
  /** Time of the latest arrival, duplicates and late ones included (ms). */
  readonly lastArrivalMs: Millis | undefined;
  /** Frame `seq` if it is queued (valid until the buffer changes: its record is reused). */
  frame(seq: number): QueuedFrame | undefined;
  /** The first queued frame after the cursor, if any (the far side of a gap; valid until the buffer changes). */
  nextQueuedAfterCursor(): QueuedFrame | undefined;
  /** Media time of frame `seq`, inferred from a neighbour when it is not queued. */
  mediaOf(seq: number): Millis;
  /** NetEQ's buffer span: newest queued − oldest queued + one frame (ms); 0 when empty. */
  spanMs(): Millis;
}

/** One playout algorithm: the decisions, with the core doing the bookkeeping. */
export interface PlayoutPolicy {
  /** The algorithm's short name. */
  readonly name: string;
  /** Packets the buffer holds before an insertion flushes it. */
  readonly capacityPackets: number;
  /** A packet arrived (after the core queued it or found it late); `note` is not to be kept. */
  arrived(view: BufferView, note: ArrivalNote): void;
  /** A time-sync sample came in. */
  timeSynced(view: BufferView, note: TimeSyncNote): void;
  /** Decide this tick. */
  decide(view: BufferView): TickPlan;
  /** The tick was executed: what played and how many frames were passed over first. */
  ticked(view: BufferView, audio: TickAudio, passedOver: number): void;
  /** The buffering delay aimed for (ms), for jitterBufferTargetDelay. */
  targetDelayMs(view: BufferView): number;
  /** The next event the policy raised, if any. */
  pollEvent(): PlayoutEvent | undefined;
}

/** A queued frame as the table holds it: with its place in the arrival order (a record the table reuses). */
interface TableFrame extends QueuedFrame {
  seq: number;
  mediaMs: Millis;
  arrivalMs: Millis;
  order: number;
}

/**
 * Queued frames by sequence number: a linear-probing hash table on `seq` (at most half full; it doubles
 * before that), deleting by shifting the probe run back, so no tombstones pile up. The records of
 * removed frames wait in `spare` for the next insertions, so a frame returned is valid only until the
 * table changes.
 */
export class FrameTable {
  private slots: (TableFrame | undefined)[] = new Array<TableFrame | undefined>(16).fill(undefined);
  private mask = 15;
  private inserted = 0;
  /** Records of removed frames, for reuse (a packet's frame then allocates nothing). */
  private readonly spare: TableFrame[] = [];
  /** The last lookup (a tick asks for the cursor frame several times): its sequence number and answer, until the table changes. */
  private foundSeq = NaN;
  private foundAt = -1;
  /** Frames held. */
  size = 0;

  /** The slot holding `seq`, or −1. */
  private find(seq: number): number {
    if (seq === this.foundSeq) return this.foundAt;
    this.foundSeq = seq;
    return (this.foundAt = this.probe(seq));
  }

  /** The slot holding `seq`, or −1, by probing. */
  private probe(seq: number): number {
    const slots = this.slots;
    for (let i = seq & this.mask; ; i = (i + 1) & this.mask) {
      const f = slots[i];
      if (f === undefined) return -1;
      if (f.seq === seq || (f.seq !== f.seq && seq !== seq)) return i; // NaN finds NaN, as in a Map
    }
  }

  /** Frame `seq`, if held. */
  get(seq: number): QueuedFrame | undefined {
    const i = this.find(seq);
    return i < 0 ? undefined : this.slots[i];
  }

  /** Whether frame `seq` is held. */
  has(seq: number): boolean {
    return this.find(seq) >= 0;
  }

  /** Hold a frame whose `seq` is not held yet. */
  add(seq: number, mediaMs: Millis, arrivalMs: Millis): void {
    this.foundSeq = NaN;
    if (2 * (this.size + 1) > this.slots.length) this.grow();
    let frame = this.spare.pop();
    if (frame === undefined) {
      frame = { seq, mediaMs, arrivalMs, order: this.inserted++ };
    } else {
      frame.seq = seq;
      frame.mediaMs = mediaMs;
      frame.arrivalMs = arrivalMs;
      frame.order = this.inserted++;
    }
    this.place(frame);
    this.size++;
  }

  /** Drop frame `seq` if held. */
  delete(seq: number): void {
    let i = this.find(seq);
    if (i < 0) return;
    this.foundSeq = NaN;
    const slots = this.slots;
    const mask = this.mask;
    this.spare.push(slots[i]!);
    // backward-shift deletion: pull back every later frame of the probe run that may sit at i
    for (let j = (i + 1) & mask; ; j = (j + 1) & mask) {
      const f = slots[j];
      if (f === undefined) break;
      const home = f.seq & mask;
      if (((j - home) & mask) >= ((j - i) & mask)) {
        slots[i] = f;
        i = j;
      }
    }
    slots[i] = undefined;
    this.size--;
  }

  /** The frames held, in the order they were added. */
  inArrivalOrder(): TableFrame[] {
    const frames: TableFrame[] = [];
    for (const f of this.slots) if (f !== undefined) frames.push(f);
    return frames.sort((a, b) => a.order - b.order);
  }

  /** The held frame with the smallest sequence number above `seq` (undefined when none): one pass over the table. */
  firstAfter(seq: number): TableFrame | undefined {
    let first: TableFrame | undefined;
    for (const f of this.slots) if (f !== undefined && f.seq > seq && (first === undefined || f.seq < first.seq)) first = f;
    return first;
  }

  /** The largest sequence number held (undefined when empty). */
  maxSeq(): number | undefined {
    let max: number | undefined;
    for (const f of this.slots) if (f !== undefined && (max === undefined || f.seq > max)) max = f.seq;
    return max;
  }

  /** Drop every frame. */
  clear(): void {
    this.foundSeq = NaN;
    const slots = this.slots;
    for (let i = 0; i < slots.length; i++) {
      const f = slots[i];
      if (f !== undefined) {
        this.spare.push(f);
        slots[i] = undefined;
      }
    }
    this.size = 0;
  }

  private place(frame: TableFrame): void {
    let i = frame.seq & this.mask;
    while (this.slots[i] !== undefined) i = (i + 1) & this.mask;
    this.slots[i] = frame;
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Array<TableFrame | undefined>(old.length * 2).fill(undefined);
    this.mask = this.slots.length - 1;
    for (const f of old) if (f !== undefined) this.place(f);
  }
}

/** The shared core: a `PlayoutController` driven by one policy. */
export class JitterBuffer implements PlayoutController, BufferView {
  private readonly queue = new FrameTable();
  private readonly outputs = new OutputQueue<PlayoutOutput>();
  private readonly recorder = new PlayoutStatsRecorder();
  private readonly ledger = new DegradationLedger();
  /** Frames passed while missing that may still arrive late. */
  private readonly missingPassed = new Set<number>();
  private maxQueued: number | undefined;
  /** The last frame played (its record went back to the table: kept as numbers), valid once `hasPlayed`. */
  private hasPlayed = false;
  private lastPlayedSeq = 0;
  private lastPlayedMediaMs: Millis = 0;
  private time: Millis = 0;
  private cursorSeq: number | undefined;
  private hasStarted = false;
  /** The first frame that was ever due (frames before it were never expected). */
  private firstDue = Infinity;
  private newest: number | undefined;
  /** Times of the first and latest arrival, valid once `hasArrived` (kept as plain numbers: stored per packet without boxing). */
  private hasArrived = false;
  private firstArrival: Millis = 0;
  private lastArrival: Millis = 0;
  /** The note handed to the policy at each arrival, refilled each time (no allocation per packet). */
  private readonly note: Mutable<ArrivalNote> = { seq: 0, mediaMs: 0, now: 0, late: false, flushed: false };
  /** The tick's audio output and its audio, one record per kind, refilled every tick (no allocation per tick). */
  private readonly audioOut: Mutable<Extract<PlayoutOutput, { type: 'audio' }>> = { type: 'audio', now: 0, audio: SILENCE };
  private readonly playing: Mutable<Extract<TickAudio, { type: 'play' }>> = { type: 'play', seq: 0, mediaMs: 0, waitedMs: 0 };
  private readonly concealing: Mutable<Extract<TickAudio, { type: 'conceal' }>> = { type: 'conceal', seq: 0 };
  private readonly expanding: Mutable<Extract<TickAudio, { type: 'expand' }>> = { type: 'expand', seq: 0 };
  private readonly stretching: Mutable<Extract<TickAudio, { type: 'stretch' }>> = { type: 'stretch', seq: 0 };

  /** A buffer run by `policy`. */
  constructor(private readonly policy: PlayoutPolicy) {}

  /** The policy's name. */
  get algorithm(): string {
    return this.policy.name;
  }

  // ---- BufferView ---------------------------------------------------------------------------------

  /** Time of the input being handled. */
  get now(): Millis {
    return this.time;
  }

  /** Playout has started. */
  get started(): boolean {
    return this.hasStarted;
  }

  /** The next frame to play. */
  get cursor(): number | undefined {
    return this.cursorSeq;
  }

  /** Frames queued. */
  get queued(): number {
    return this.queue.size;
  }

  /** Highest sequence number received. */
  get newestSeq(): number | undefined {
    return this.newest;
  }

  /** Time of the first arrival. */
  get firstArrivalMs(): Millis | undefined {
    return this.hasArrived ? this.firstArrival : undefined;
  }

  /** Time of the latest arrival. */
  get lastArrivalMs(): Millis | undefined {
    return this.hasArrived ? this.lastArrival : undefined;
  }

  /** Frame `seq` if queued. */
  frame(seq: number): QueuedFrame | undefined {
    return this.queue.get(seq);
  }

  /** The first queued frame after the cursor. */
  nextQueuedAfterCursor(): QueuedFrame | undefined {
    if (this.cursorSeq === undefined || this.maxQueued === undefined) return undefined;
    // a gap wider than the table (a peer's sequence numbers jumped by billions) is searched in the table,
    // not number by number: the same frame, found without looping over the gap
    if (this.maxQueued - this.cursorSeq > this.queue.size) return this.queue.firstAfter(this.cursorSeq);
    for (let s = this.cursorSeq + 1; s <= this.maxQueued; s++) {
      const f = this.queue.get(s);
      if (f !== undefined) return f;
    }
    return undefined;
  }

  /** Media time of `seq`, inferred from the nearest known frame when not queued. */
  mediaOf(seq: number): Millis {
    const own = this.queue.get(seq);
    if (own !== undefined) return own.mediaMs;
    const next = this.cursorSeq === seq ? this.nextQueuedAfterCursor() : undefined;
    if (next !== undefined) return next.mediaMs + (seq - next.seq) * FRAME_MS;
    if (this.hasPlayed) return this.lastPlayedMediaMs + (seq - this.lastPlayedSeq) * FRAME_MS;
    const newest = this.maxQueued === undefined ? undefined : this.queue.get(this.maxQueued);
    return newest === undefined ? 0 : newest.mediaMs + (seq - newest.seq) * FRAME_MS;
  }

  /** Span of the queued frames (ms). */
  spanMs(): Millis {
    if (this.queue.size === 0 || this.cursorSeq === undefined || this.maxQueued === undefined) return 0;
    const oldest = this.queue.has(this.cursorSeq) ? this.cursorSeq : this.nextQueuedAfterCursor()!.seq;
    return (this.maxQueued - oldest + 1) * FRAME_MS;
  }

  // ---- PlayoutController --------------------------------------------------------------------------

  /** Feed one input. */
  handle(input: PlayoutInput): void {
    this.time = input.now;
    switch (input.type) {
      case 'arrival':
        this.arrival(input.seq, input.mediaMs, input.now);
        break;
      case 'timeSync':
        if (input.clockOffsetMs !== undefined) this.recorder.clockOffset(input.clockOffsetMs);
        this.policy.timeSynced(this, input);
        break;
      case 'tick':
        this.tick(input.now);
        break;
      default:
        assertNever(input);
    }
    for (let e = this.policy.pollEvent(); e !== undefined; e = this.policy.pollEvent()) {
      this.ledger.warned(e.now);
      this.outputs.push({ type: 'event', event: e });
    }
  }

  /** The next pending output. */
  pollOutput(): PlayoutOutput | undefined {
    return this.outputs.poll();
  }

  /** A snapshot of the stream's counters. */
  stats(): PlayoutStats {
    return this.recorder.snapshot(this.ledger.summary());
  }

  /** The policy's current target (ms). */
  targetDelayMs(): number {
    return this.policy.targetDelayMs(this);
  }

  // ---- arrivals -----------------------------------------------------------------------------------

  private arrival(seq: number, mediaMs: Millis, now: Millis): void {
    this.lastArrival = now;
    if (!this.hasArrived) {
      this.hasArrived = true;
      this.firstArrival = now;
    }
    const passed = this.hasStarted && this.cursorSeq !== undefined && seq < this.cursorSeq;
    const duplicate = passed ? !this.missingPassed.has(seq) && seq >= this.firstDue : this.queue.has(seq);
    this.recorder.arrival(seq, duplicate);
    if (duplicate) return;
    if (this.newest === undefined || seq > this.newest) this.newest = seq;
    if (passed) {
      this.missingPassed.delete(seq);
      this.ledger.late(seq);
      this.discard(seq, 'late');
      this.notify(seq, mediaMs, now, true, false);
      return;
    }
    const flushed = this.queue.size >= this.policy.capacityPackets;
    if (flushed) this.flush(seq);
    this.queue.add(seq, mediaMs, now);
    if (this.maxQueued === undefined || seq > this.maxQueued) this.maxQueued = seq;
    if (!this.hasStarted && (this.cursorSeq === undefined || seq < this.cursorSeq)) this.cursorSeq = seq;
    this.notify(seq, mediaMs, now, false, flushed);
  }

  /** Tell the policy about an arrival, in the reused note. */
  private notify(seq: number, mediaMs: Millis, now: Millis, late: boolean, flushed: boolean): void {
    const note = this.note;
    note.seq = seq;
    note.mediaMs = mediaMs;
    note.now = now;
    note.late = late;
    note.flushed = flushed;
    this.policy.arrived(this, note);
  }

  /** NetEQ's overflow rule: everything queued is discarded; playout goes on from the incoming packet. */
  private flush(incoming: number): void {
    if (this.hasStarted && this.cursorSeq !== undefined && incoming - this.cursorSeq <= MAX_GAP_FRAMES) {
      while (this.cursorSeq < incoming) this.passOver(this.cursorSeq, 'overflow');
    } else {
      this.cursorSeq = incoming;
    }
    for (const f of this.queue.inArrivalOrder()) this.discard(f.seq, 'overflow');
    this.queue.clear();
    this.maxQueued = undefined;
  }

  private discard(seq: number, reason: DiscardReason): void {
    this.recorder.discarded(reason);
    this.outputs.push({ type: 'discard', now: this.time, seq, reason });
  }

  // ---- ticks --------------------------------------------------------------------------------------

  private tick(now: Millis): void {
    if (this.cursorSeq === undefined) return this.emit(now, SILENCE, 0);
    if (this.maxQueued !== undefined && this.maxQueued - this.cursorSeq > MAX_GAP_FRAMES && !this.queue.has(this.cursorSeq)) {
      const next = this.nextQueuedAfterCursor()!.seq;
      if (next - this.cursorSeq > MAX_GAP_FRAMES) this.cursorSeq = next; // renumbered: the gap was never due
    }
    const plan = this.policy.decide(this);
    if (!this.hasStarted) {
      if (plan.type === 'hold') return this.emit(now, SILENCE, 0);
      this.hasStarted = true;
      this.firstDue = this.cursorSeq;
    }
    let passedOver = 0;
    switch (plan.type) {
      case 'hold': {
        const audio = this.queue.has(this.cursorSeq) ? this.stretching : this.expanding;
        audio.seq = this.cursorSeq;
        return this.emit(now, audio, 0);
      }
      case 'drop':
        for (; passedOver < plan.count; passedOver++) this.passOver(this.cursorSeq, 'latency');
        break;
      case 'advance':
        break;
      default:
        assertNever(plan);
    }
    const seq = this.cursorSeq;
    const frame = this.queue.get(seq);
    this.cursorSeq = seq + 1;
    if (frame === undefined) {
      this.due(seq, 'missing');
      this.concealing.seq = seq;
      return this.emit(now, this.concealing, passedOver);
    }
    const mediaMs = frame.mediaMs;
    const waitedMs = now - frame.arrivalMs;
    this.remove(seq); // the frame's record goes back to the table: its figures are read above
    this.due(seq, 'played');
    this.hasPlayed = true;
    this.lastPlayedSeq = seq;
    this.lastPlayedMediaMs = mediaMs;
    this.recorder.emit(waitedMs, now - mediaMs, this.policy.targetDelayMs(this));
    const audio = this.playing;
    audio.seq = seq;
    audio.mediaMs = mediaMs;
    audio.waitedMs = waitedMs;
    this.emit(now, audio, passedOver);
  }

  /** Move the cursor over `seq` without playing it. */
  private passOver(seq: number, reason: DiscardReason): void {
    this.cursorSeq = seq + 1;
    if (this.queue.has(seq)) {
      this.remove(seq);
      this.discard(seq, reason);
      this.due(seq, 'discarded');
    } else {
      this.outputs.push({ type: 'skip', now: this.time, seq });
      this.due(seq, 'missing');
    }
  }

  /** Frame `seq`'s playout time is now: it was played, discarded, or missing (it may still come, late). */
  private due(seq: number, fate: 'played' | 'discarded' | 'missing'): void {
    this.recorder.frameDue(fate === 'played');
    if (fate === 'missing') {
      this.missingPassed.add(seq);
      if (this.missingPassed.size > 4096) {
        for (const s of this.missingPassed) if (s < seq - 4096) this.missingPassed.delete(s);
      }
    }
    this.ledger.passed(seq, this.time, fate === 'missing');
  }

  private remove(seq: number): void {
    this.queue.delete(seq);
    if (seq === this.maxQueued) this.maxQueued = this.queue.size > 0 ? this.queue.maxSeq() : undefined;
  }

  private emit(now: Millis, audio: TickAudio, passedOver: number): void {
    this.recorder.tick(audio.type === 'conceal' || audio.type === 'expand', audio.type === 'stretch');
    const out = this.audioOut;
    out.now = now;
    out.audio = audio;
    this.outputs.push(out);
    if (this.cursorSeq !== undefined) this.policy.ticked(this, audio, passedOver);
  }
}
