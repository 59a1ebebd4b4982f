/**
 * `ceiling`: the fastest a single-threaded discrete-event loop can go in this Node, as a yardstick.
 *
 * The simplest binary min-heap of (time, sequence) entries, written here on purpose rather than taken
 * from sim/scheduler.ts. `QUEUE_DEPTH` events are pending at all times: each iteration pops the earliest,
 * advances the clock, calls its no-op action and schedules one new event at now + a pseudo-random delay
 * (xorshift32). Nothing else happens, so every other event loop is measured against this one.
 */
import type { BenchCase, RunCounts, Workload } from './harness.ts';

/** Events kept pending throughout the run. */
export const QUEUE_DEPTH = 1000;

/** Mean delay between scheduling and firing (ms); delays are uniform in [0, 2 × mean). */
const MEAN_DELAY_MS = 50;

interface Entry {
  readonly at: number;
  readonly seq: number;
  readonly action: () => void;
}

const noop = (): void => {};

function before(a: Entry, b: Entry): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

function push(heap: Entry[], entry: Entry): void {
  let i = heap.length;
  heap.push(entry);
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (!before(entry, heap[parent]!)) break;
    heap[i] = heap[parent]!;
    i = parent;
  }
  heap[i] = entry;
}

function pop(heap: Entry[]): Entry {
  const top = heap[0]!;
  const last = heap.pop()!;
  const n = heap.length;
  if (n === 0) return top;
  let i = 0;
  for (;;) {
    let c = 2 * i + 1;
    if (c >= n) break;
    if (c + 1 < n && before(heap[c + 1]!, heap[c]!)) c++;
    if (!before(heap[c]!, last)) break;
    heap[i] = heap[c]!;
    i = c;
  }
  heap[i] = last;
  return top;
}

/** Fire `events` no-op events through a heap holding `QUEUE_DEPTH` pending ones. */
export function runCeiling(events: number): RunCounts {
  let state = 0x9e3779b9 | 0;
  const delay = (): number => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return ((state >>> 0) / 4294967296) * 2 * MEAN_DELAY_MS;
  };
  const heap: Entry[] = [];
  let seq = 0;
  let now = 0;
  for (let i = 0; i < QUEUE_DEPTH; i++) push(heap, { at: delay(), seq: seq++, action: noop });
  for (let fired = 0; fired < events; fired++) {
    const entry = pop(heap);
    now = entry.at;
    entry.action();
    push(heap, { at: now + delay(), seq: seq++, action: noop });
  }
  return { events };
}

const ceilingCase: BenchCase = { name: 'ceiling', unit: 'events', initialSize: 10_000, run: runCeiling };

/** The `ceiling` workload. */
export const ceiling: Workload = {
  name: 'ceiling',
  summary: `bare binary-heap event loop, no-op events, ${QUEUE_DEPTH} pending`,
  byDefault: true,
  cases: [ceilingCase],
};
