/**
 * The measuring harness of `npm run bench`: what a workload is, and how one is timed.
 *
 * Theory of operation: a workload is a named group of cases; a case does `size` units of work (events,
 * or simulated milliseconds) and reports what it did. Each case first runs once at its initial size,
 * untimed (its one-time setup, such as a trace it caches, and the JIT's first pass must not set its
 * size), then is warmed up and calibrated at once: its size doubles until one run takes `warmupMs`, and
 * the run's rate sets the size that should take `targetMs`. Then `reps` timed runs of that size follow and the fastest counts (noise only ever
 * slows a run down). Every run of the same size must report the same counts, since every workload is
 * deterministic; a difference means the bench itself is broken. Wall time is `performance.now()`.
 * A workload whose figures are not timings (the playout lab's quality tables) also gives a `report`:
 * computed once, printed after the timing table, and carried whole in the `--json` document.
 */
import { performance } from 'node:perf_hooks';
import type { PlayoutAlgorithm } from '../protocol/media/index.ts';

/** What one run of a case did. */
export interface RunCounts {
  /** Events fired (the rate's numerator in every workload). */
  readonly events: number;
  /** Packets the receiver got, for workloads that move packets. */
  readonly packets?: number;
  /** Simulated time covered (ms), for workloads with a virtual clock. */
  readonly simulatedMs?: number;
  /** Hash of the run's trace, when one was taken. */
  readonly digest?: string;
}

/** One measured row: a deterministic piece of work of adjustable size. */
export interface BenchCase {
  /** Row label, unique across the registry (used by ratios). */
  readonly name: string;
  /** What `size` counts, e.g. `events` or `simulated ms`. */
  readonly unit: string;
  /** A size small enough to take a few milliseconds; calibration starts there. */
  readonly initialSize: number;
  /** Do `size` units of work from a fresh start. */
  run(size: number): RunCounts;
}

/** Figures a workload reports besides timings: text for the terminal, the same as data for `--json`. */
export interface Report {
  /** The report as printed (tables and verdicts). */
  readonly text: string;
  /** The same figures as plain JSON-able data. */
  readonly data: unknown;
}

/** Command-line choices a report may honour (the playout lab's trace seeds and added algorithms). */
export interface ReportOptions {
  /** `--seed N`: the seed of the tables (and, without `--seeds`, the only seed of everything else). */
  readonly seed?: number;
  /** `--seeds a,b,…`: the seeds scored and compared over. */
  readonly seeds?: readonly number[];
  /** `--playout FILE` (repeatable): playout algorithms of one's own, added to the lab's. */
  readonly playouts?: readonly PlayoutAlgorithm[];
}

/** A named entry of the registry: `npm run bench -- <name>` runs its cases. */
export interface Workload {
  /** Command-line name. */
  readonly name: string;
  /** One line for `--help`. */
  readonly summary: string;
  /** Part of the default set run when no name is given. */
  readonly byDefault: boolean;
  /** The rows it measures, in order (may be empty). */
  readonly cases: readonly BenchCase[];
  /** Figures that are not timings, computed once after the cases are timed (optional). */
  report?(options?: ReportOptions): Report;
}

/** How long to warm up and to run each repetition, and how many repetitions. */
export interface MeasureOptions {
  /** Wall time of the calibration run that ends the warm-up (ms). */
  readonly warmupMs: number;
  /** Wall time each timed repetition aims for (ms). */
  readonly targetMs: number;
  /** Timed repetitions; the fastest is reported. */
  readonly reps: number;
}

/** The result of measuring one case. */
export interface Measurement extends RunCounts {
  /** The case's name. */
  readonly name: string;
  /** What `size` counts. */
  readonly unit: string;
  /** Work size of each timed repetition. */
  readonly size: number;
  /** Wall time of the fastest repetition (ms). */
  readonly wallMs: number;
  /** Wall time of every repetition, in order (ms). */
  readonly repsWallMs: readonly number[];
  /** Events per wall-clock second, fastest repetition. */
  readonly eventsPerSec: number;
  /** Packets per wall-clock second, when the case moves packets. */
  readonly packetsPerSec?: number;
  /** Simulated time over wall time, when the case has a virtual clock. */
  readonly simToReal?: number;
}

/** Warm up, calibrate and time `c`, keeping the fastest of `options.reps` repetitions. */
export function measure(c: BenchCase, options: MeasureOptions): Measurement {
  if (!(options.reps >= 1)) throw new RangeError(`reps must be at least 1, got ${options.reps}`);
  const size = calibrate(c, options);
  const walls: number[] = [];
  let counts: RunCounts | undefined;
  for (let i = 0; i < options.reps; i++) {
    const { wallMs, result } = timed(c, size);
    walls.push(wallMs);
    if (counts !== undefined && !sameCounts(counts, result)) {
      throw new Error(`${c.name}: repetition ${i + 1} of size ${size} did not repeat (${JSON.stringify(result)} after ${JSON.stringify(counts)})`);
    }
    counts = result;
  }
  const result = counts!;
  const wallMs = Math.min(...walls);
  const perSec = (n: number) => (n * 1000) / wallMs;
  return {
    name: c.name,
    unit: c.unit,
    size,
    ...result,
    wallMs,
    repsWallMs: walls,
    eventsPerSec: perSec(result.events),
    ...(result.packets === undefined ? {} : { packetsPerSec: perSec(result.packets) }),
    ...(result.simulatedMs === undefined ? {} : { simToReal: result.simulatedMs / wallMs }),
  };
}

/** Run once untimed, then double the size until a run takes `warmupMs`, then scale it to `targetMs`. */
function calibrate(c: BenchCase, options: MeasureOptions): number {
  c.run(c.initialSize);
  for (let size = c.initialSize; ; size *= 2) {
    const { wallMs } = timed(c, size);
    if (wallMs >= options.warmupMs) return Math.max(1, Math.round((size * options.targetMs) / wallMs));
  }
}

function timed(c: BenchCase, size: number): { wallMs: number; result: RunCounts } {
  const start = performance.now();
  const result = c.run(size);
  return { wallMs: performance.now() - start, result };
}

function sameCounts(a: RunCounts, b: RunCounts): boolean {
  return a.events === b.events && a.packets === b.packets && a.simulatedMs === b.simulatedMs && a.digest === b.digest;
}
