/**
 * The virtual clock and the single event queue of a simulated world.
 *
 * Theory of operation: time does not tick; it jumps to the earliest pending event. The queue is a
 * binary min-heap ordered by (time, sequence number); the sequence number is assigned at scheduling,
 * so events at the same instant run in the order they were scheduled: a stable, seed-independent order.
 * An event is an action plus one argument (no closure needed on hot paths), held in an entry record that
 * is recycled once the event has run (a free list), so scheduling allocates nothing in a steady run.
 * Cancellation is lazy: the owner of an event keeps a token and ignores stale firings, which keeps the
 * heap free of deletions.
 * Nothing here reads the wall clock.
 */

/** Something to run when an event fires; `arg` is the value given at scheduling. */
export type Action<A> = (arg: A) => void;

/** A pending event; recycled through the free list once it has run. */
interface Entry {
  at: number;
  seq: number;
  action: Action<any>;
  arg: unknown;
}

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
  private heap: Entry[] = [];
  /** Entries whose event has run, for reuse. */
  private readonly free: Entry[] = [];
  private seq = 0;
  private clock = 0;
  private ran = 0;

  /** Current simulated time in milliseconds. */
  get now(): number {
    return this.clock;
  }

  /** Number of pending events. */
  get pending(): number {
    return this.heap.length;
  }

  /** Total events run since creation. */
  get eventsRun(): number {
    return this.ran;
  }

  /** Time of the earliest pending event, or `undefined` when the queue is empty. */
  get nextAt(): number | undefined {
    return this.heap[0]?.at;
  }

  /** Schedule `action(arg)` at simulated time `at` (not before now). */
  schedule<A>(at: number, action: Action<A>, arg: A): void {
    if (!(at >= this.clock)) throw new RangeError(`cannot schedule at ${at}: now is ${this.clock}`);
    const heap = this.heap;
    const seq = this.seq++;
    let entry = this.free.pop();
    if (entry === undefined) entry = { at, seq, action, arg };
    else (entry.at = at), (entry.seq = seq), (entry.action = action), (entry.arg = arg);
    let i = heap.length;
    heap.push(entry);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent]!;
      if (p.at < at || (p.at === at && p.seq < seq)) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = entry;
  }

  /** Schedule `action(arg)` after `delay` milliseconds. */
  after<A>(delay: number, action: Action<A>, arg: A): void {
    this.schedule(this.clock + delay, action, arg);
  }

  /** Run the earliest event; returns false when there was none. */
  step(): boolean {
    const entry = this.pop();
    if (entry === undefined) return false;
    this.clock = entry.at;
    this.ran++;
    const { action, arg } = entry;
    entry.arg = undefined; // let the argument go; the entry waits for reuse
    this.free.push(entry);
    action(arg);
    return true;
  }

  /** Run every event due at or before `t`, then set the clock to `t`. */
  runUntil(t: number): number {
    if (!(t >= this.clock)) throw new RangeError(`cannot run until ${t}: now is ${this.clock}`);
    const start = this.ran;
    while (this.heap.length > 0 && this.heap[0]!.at <= t) this.step();
    this.clock = t;
    return this.ran - start;
  }

  /** Run until the queue drains or `budget` events have run, and report which. */
  runUntilIdle(budget: number = DEFAULT_EVENT_BUDGET): RunResult {
    let events = 0;
    while (events < budget && this.step()) events++;
    const status = this.heap.length === 0 ? 'idle' : 'budget';
    return { status, events, now: this.clock, nextAt: this.nextAt };
  }

  private pop(): Entry | undefined {
    const heap = this.heap;
    const top = heap[0];
    if (top === undefined) return undefined;
    const last = heap.pop()!;
    const n = heap.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        let c = l;
        let child = heap[l]!;
        if (r < n) {
          const rc = heap[r]!;
          if (rc.at < child.at || (rc.at === child.at && rc.seq < child.seq)) {
            c = r;
            child = rc;
          }
        }
        if (last.at < child.at || (last.at === child.at && last.seq < child.seq)) break;
        heap[i] = child;
        i = c;
      }
      heap[i] = last;
    }
    return top;
  }
}
