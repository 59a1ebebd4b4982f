/**
 * The virtual clock and the single event queue of a simulated world.
 *
 * Theory of operation: time does not tick; it jumps to the earliest pending event. The queue is a
 * binary min-heap ordered by (time, sequence number); the sequence number is assigned at scheduling,
 * so events at the same instant run in the order they were scheduled: a stable, seed-independent order.
 * An event is an action plus one argument (no closure needed on hot paths). The heap is kept as flat
 * arrays in heap order (times, sequence numbers, and the slot holding the action and argument), so
 * ordering compares numbers in place and scheduling allocates nothing once the arrays have grown;
 * slots are reused once their event has run. Cancellation is lazy: the owner of an event keeps a
 * token and ignores stale firings, which keeps the heap free of deletions. Nothing here reads the
 * wall clock.
 */

/** Something to run when an event fires; `arg` is the value given at scheduling. */
export type Action<A> = (arg: A) => void;

/** How a bounded run ended. */
export interface RunResult {
  /** `idle`: the queue drained; `budget`: the event budget ran out first (a likely livelock). */
  readonly status: 'idle' | 'budget';
  /** Events run by this call. */
  readonly events: number;
  /** Simulated time when the run stopped. */
  readonly now: number;
  /** Time of the next pending event, if any. */
  readonly nextAt: number | undefined;
}

/** Default event budget for `runUntilIdle`. */
export const DEFAULT_EVENT_BUDGET = 10_000_000;

/** The virtual clock and event queue. */
export class Scheduler {
  /** The heap, in heap order: each pending event's time, sequence number and slot. */
  private times = new Float64Array(256);
  private seqs = new Float64Array(256);
  private slotOf = new Int32Array(256);
  private size = 0;
  /** Action and argument of each slot; the slots of events that ran wait in `freeSlots` for reuse. */
  private readonly actions: (Action<any> | undefined)[] = [];
  private readonly args: unknown[] = [];
  private readonly freeSlots: number[] = [];
  private seq = 0;
  private clock = 0;
  private ran = 0;

  /** Current simulated time in milliseconds. */
  get now(): number {
    return this.clock;
  }

  /** Number of pending events. */
  get pending(): number {
    return this.size;
  }

  /** Total events run since creation. */
  get eventsRun(): number {
    return this.ran;
  }

  /** Time of the earliest pending event, or `undefined` when the queue is empty. */
  get nextAt(): number | undefined {
    return this.size > 0 ? this.times[0] : undefined;
  }

  /** Schedule `action(arg)` at simulated time `at` (not before now). */
  schedule<A>(at: number, action: Action<A>, arg: A): void {
    if (!(at >= this.clock)) this.refuse('schedule at', at);
    if (this.size === this.times.length) this.grow();
    let slot = this.freeSlots.pop();
    if (slot === undefined) {
      slot = this.actions.length;
      this.actions.push(action);
      this.args.push(arg);
    } else {
      this.actions[slot] = action;
      this.args[slot] = arg;
    }
    const seq = this.seq++;
    const times = this.times;
    const seqs = this.seqs;
    const slotOf = this.slotOf;
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pt = times[parent]!;
      if (pt < at || (pt === at && seqs[parent]! < seq)) break;
      times[i] = pt;
      seqs[i] = seqs[parent]!;
      slotOf[i] = slotOf[parent]!;
      i = parent;
    }
    times[i] = at;
    seqs[i] = seq;
    slotOf[i] = slot;
  }

  /** Schedule `action(arg)` after `delay` milliseconds. */
  after<A>(delay: number, action: Action<A>, arg: A): void {
    this.schedule(this.clock + delay, action, arg);
  }

  /** Run the earliest event; returns false when there was none. */
  step(): boolean {
    if (this.size === 0) return false;
    const slot = this.slotOf[0]!;
    this.clock = this.times[0]!;
    this.removeTop();
    this.ran++;
    const action = this.actions[slot]!;
    const arg = this.args[slot];
    this.actions[slot] = undefined; // let them go; the slot waits for reuse
    this.args[slot] = undefined;
    this.freeSlots.push(slot);
    action(arg);
    return true;
  }

  /** Run every event due at or before `t`, then set the clock to `t`. */
  runUntil(t: number): number {
    if (!(t >= this.clock)) this.refuse('run until', t);
    const start = this.ran;
    while (this.size > 0 && this.times[0]! <= t) this.step();
    this.clock = t;
    return this.ran - start;
  }

  /** Run until the queue drains or `budget` events have run, and report which. */
  runUntilIdle(budget: number = DEFAULT_EVENT_BUDGET): RunResult {
    let events = 0;
    while (events < budget && this.step()) events++;
    const status = this.size === 0 ? 'idle' : 'budget';
    return { status, events, now: this.clock, nextAt: this.nextAt };
  }

  /** Drop the heap's top: the last event sifts down from the root. */
  private removeTop(): void {
    const n = --this.size;
    if (n === 0) return;
    const times = this.times;
    const seqs = this.seqs;
    const slotOf = this.slotOf;
    const lastAt = times[n]!;
    const lastSeq = seqs[n]!;
    const lastSlot = slotOf[n]!;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      let ct = times[c]!;
      let cs = seqs[c]!;
      const r = c + 1;
      if (r < n) {
        const rt = times[r]!;
        if (rt < ct || (rt === ct && seqs[r]! < cs)) {
          c = r;
          ct = rt;
          cs = seqs[r]!;
        }
      }
      if (lastAt < ct || (lastAt === ct && lastSeq < cs)) break;
      times[i] = ct;
      seqs[i] = cs;
      slotOf[i] = slotOf[c]!;
      i = c;
    }
    times[i] = lastAt;
    seqs[i] = lastSeq;
    slotOf[i] = lastSlot;
  }

  /** Throw for a time before now (apart from the hot paths: they stay small enough to be inlined). */
  private refuse(what: string, t: number): never {
    throw new RangeError(`cannot ${what} ${t}: now is ${this.clock}`);
  }

  /** Double the heap's arrays (they are full). */
  private grow(): void {
    const times = new Float64Array(2 * this.times.length);
    const seqs = new Float64Array(2 * this.times.length);
    const slotOf = new Int32Array(2 * this.times.length);
    times.set(this.times);
    seqs.set(this.seqs);
    slotOf.set(this.slotOf);
    this.times = times;
    this.seqs = seqs;
    this.slotOf = slotOf;
  }
}
