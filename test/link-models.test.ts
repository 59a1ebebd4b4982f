/**
 * Statistical tests of every link model against its analytic expectation.
 *
 * Each test drives a real `World`: node `a` sends packets on command, node `b` logs the payloads it
 * receives, and a `TraceRecorder` gives the send / deliver / drop / duplicate / corrupt events and their
 * times. Seeds are fixed, so every figure is reproducible. Statistical tolerances are stated in each title
 * and are at least about 3.5 standard errors wide; figures the model makes exact are asserted exactly.
 * The semantics tested are those of sim/link.ts, sim/distributions.ts and sim/loss.ts (netem and
 * libwebrtc SimulatedNetwork, see shared/reference/network-models.md). Set LINK_MODELS_VERBOSE=1 to print
 * every measured figure next to its expectation.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { OK, type NodeOutput, type PeerId, type Protocol } from '../protocol/contract.ts';
import { TRUE_DELAY_WINDOW_MS } from '../sim/delay-truth.ts';
import { delaySample, standardQuantile } from '../sim/distributions.ts';
import {
  ConfigError,
  DELAY_DISTRIBUTIONS,
  encodeTraceEvent,
  expectedLossRate,
  TraceRecorder,
  World,
  type DelayDistribution,
  type LinkOverrides,
  type LossModel,
} from '../sim/index.ts';

const SEED = 20_240_611;
const VERBOSE = process.env.LINK_MODELS_VERBOSE !== undefined;

// ---- a world whose nodes send packets on command -------------------------------------------------

/** The test protocol's command: send `count` packets of `size` bytes to `to`, now. */
interface Send {
  readonly to: PeerId;
  readonly count: number;
  readonly size: number;
}

/** Every payload, in the order nodes sent them and in the order nodes received them. */
interface Payloads {
  readonly sent: Uint8Array[];
  readonly received: Uint8Array[];
}

/** A node that sends on command (payload n is a byte pattern of n) and logs every payload it receives. */
function blaster(log: Payloads): Protocol<Send, never> {
  return {
    name: 'blaster',
    create() {
      let outputs: NodeOutput<never>[] = [];
      let next = 0;
      return {
        handle(input) {
          if (input.type === 'command') {
            const { to, count, size } = input.command;
            for (let i = 0; i < count; i++) {
              const bytes = new Uint8Array(size);
              for (let j = 0; j < size; j++) bytes[j] = (log.sent.length * 131 + j * 29) & 255;
              log.sent.push(bytes);
              outputs.push({ type: 'send', to, channel: 'media', bytes });
            }
          } else if (input.type === 'receive') {
            log.received.push(input.bytes);
          }
          return OK;
        },
        pollOutput() {
          if (next < outputs.length) return outputs[next++];
          outputs = [];
          next = 0;
          return undefined;
        },
      };
    },
  };
}

/** Packets to send: `count` of `size` bytes from `from` to `to` from `start` on, one every `everyMs` (0: all at once). */
interface Traffic {
  readonly count: number;
  readonly everyMs?: number;
  readonly size?: number;
  readonly start?: number;
  readonly from?: PeerId;
  readonly to?: PeerId;
}

/** One packet as its sender sent it. */
interface Sent {
  readonly id: number;
  readonly sentAt: number;
  readonly to: PeerId;
  readonly bytes: Uint8Array;
}

/** One delivery, with the bytes the receiver got. */
interface Delivery {
  readonly id: number;
  readonly t: number;
  readonly from: PeerId;
  readonly bytes: Uint8Array;
}

/** What a run produced. */
interface Run {
  readonly world: World<Send, never>;
  readonly trace: TraceRecorder;
  /** Every packet sent, in send order. */
  readonly sent: Sent[];
  /** Every delivery, in delivery order. */
  readonly delivered: Delivery[];
  /** First delivery time by packet id. */
  readonly arrival: Map<number, number>;
}

/** Run `traffic` over a world whose every link is `link`, until idle. */
function simulate(link: LinkOverrides, traffic: Traffic | readonly Traffic[], options: { seed?: number; nodes?: PeerId[] } = {}): Run {
  const trace = new TraceRecorder();
  const log: Payloads = { sent: [], received: [] };
  const world = new World<Send, never>({ seed: options.seed ?? SEED, network: link, trace: [trace] });
  for (const id of options.nodes ?? ['a', 'b']) world.addNode(id, blaster(log));
  for (const t of [traffic].flat()) schedule(world, t);
  assert.is(world.runUntilIdle().status, 'idle');
  // Sends and deliveries are traced synchronously with the payloads the nodes log, so the two line up.
  const sends = trace.ofKind('send');
  const delivers = trace.ofKind('deliver');
  assert.equal([sends.length, delivers.length], [log.sent.length, log.received.length]);
  const sent = sends.map((e, i) => ({ id: e.packet, sentAt: e.t, to: e.to, bytes: log.sent[i]! }));
  const delivered = delivers.map((e, i) => ({ id: e.packet, t: e.t, from: e.from, bytes: log.received[i]! }));
  const arrival = new Map<number, number>();
  for (const d of delivered) if (!arrival.has(d.id)) arrival.set(d.id, d.t);
  return { world, trace, sent, delivered, arrival };
}

const COMMAND_CHUNK = 10_000; // well under the host's cap on outputs per input

function schedule(world: World<Send, never>, { count, everyMs = 0, size = 16, start = 0, from = 'a', to = 'b' }: Traffic): void {
  const send = (n: number) => (w: World<Send, never>) => void w.command(from, { to, count: n, size });
  if (everyMs === 0) for (let left = count; left > 0; left -= COMMAND_CHUNK) world.at(start, send(Math.min(COMMAND_CHUNK, left)));
  else for (let k = 0; k < count; k++) world.at(start + k * everyMs, send(1));
}

/** One-way delays of the delivered packets, in send order. */
function delays(run: Run): number[] {
  return run.sent.flatMap((p) => {
    const t = run.arrival.get(p.id);
    return t === undefined ? [] : [t - p.sentAt];
  });
}

/** Per packet in send order: lost to the loss model? Checks that every other packet was delivered. */
function lossFlags(run: Run): boolean[] {
  const lost = new Set(run.trace.ofKind('drop').filter((d) => d.reason === 'loss').map((d) => d.packet));
  const flags = run.sent.map((p) => lost.has(p.id));
  assert.is(run.delivered.length + lost.size, run.sent.length, 'every packet is either delivered or lost');
  return flags;
}

/** Deliveries grouped by instant: the time and the send indices of each batch, in delivery order. */
function batches(run: Run): { t: number; packets: number[] }[] {
  const index = new Map(run.sent.map((p, i) => [p.id, i]));
  const out: { t: number; packets: number[] }[] = [];
  for (const d of run.delivered) {
    const last = out[out.length - 1];
    if (last !== undefined && last.t === d.t) last.packets.push(index.get(d.id)!);
    else out.push({ t: d.t, packets: [index.get(d.id)!] });
  }
  return out;
}

/** Simulated time has microsecond grain (README); sim/link.ts rounds every arrival so. */
const onMicrosecondGrid = (ms: number) => Math.round(ms * 1e3) / 1e3;

// ---- statistics ----------------------------------------------------------------------------------

/** The integers from `from` up to `to` (exclusive). */
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
const sum = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0);
const mean = (xs: readonly number[]) => sum(xs) / xs.length;
const variance = (xs: readonly number[]) => {
  const m = mean(xs);
  return sum(xs.map((x) => (x - m) ** 2)) / (xs.length - 1);
};
const sd = (xs: readonly number[]) => Math.sqrt(variance(xs));
const fraction = (flags: readonly boolean[]) => flags.filter(Boolean).length / flags.length;

/** Lag-1 autocorrelation. */
function lag1(xs: readonly number[]): number {
  const m = mean(xs);
  let num = 0;
  for (let i = 1; i < xs.length; i++) num += (xs[i]! - m) * (xs[i - 1]! - m);
  return num / sum(xs.map((x) => (x - m) ** 2));
}

/** Lengths of the maximal runs of `true`. */
function runLengths(flags: readonly boolean[]): number[] {
  const runs: number[] = [];
  let run = 0;
  for (const f of [...flags, false]) {
    if (f) {
      run++;
    } else if (run > 0) {
      runs.push(run);
      run = 0;
    }
  }
  return runs;
}

const KS_GRID = 4096;

/** The KS critical value for n samples at α = 0.001: sqrt(−ln(α/2)/2)/√n. */
const ksCritical = (n: number) => Math.sqrt(-Math.log(0.0005) / 2) / Math.sqrt(n);

/**
 * Kolmogorov–Smirnov distance between `samples` and the law whose quantile function is `q`, taken at
 * q(u) for u = j/4096. Where the law has an atom (a clip, a cap, a microsecond grid point) q is flat and
 * the CDF jumps, so u need only lie between the empirical CDF just below q(u) and at q(u).
 */
function ksDistance(samples: readonly number[], q: (u: number) => number): number {
  const sorted = Float64Array.from(samples).sort();
  const n = sorted.length;
  let d = 0;
  for (let j = 1; j < KS_GRID; j++) {
    const u = j / KS_GRID;
    const x = q(u);
    d = Math.max(d, rank(sorted, x, false) / n - u, u - rank(sorted, x, true) / n);
  }
  return d;
}

/** How many of `sorted` are < x (≤ x when `inclusive`). */
function rank(sorted: Float64Array, x: number, inclusive: boolean): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < x || (inclusive && sorted[mid] === x)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function report(what: string, actual: number, expected: string): void {
  if (VERBOSE) console.log(`    ${what}: ${+actual.toPrecision(6)} (expected ${expected})`);
}

/** Assert |actual − expected| ≤ tolerance. */
function within(what: string, actual: number, expected: number, tolerance: number): void {
  report(what, actual, `${+expected.toPrecision(6)} ± ${+tolerance.toPrecision(3)}`);
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: measured ${actual}, expected ${expected} ± ${tolerance}`);
}

/** Assert actual < limit. */
function below(what: string, actual: number, limit: number): void {
  report(what, actual, `< ${+limit.toPrecision(4)}`);
  assert.ok(actual < limit, `${what}: measured ${actual}, expected < ${limit}`);
}

// ---- delay ---------------------------------------------------------------------------------------

const TABLE_LIMIT = 32767 / 8192; // netem's 16-bit table bound, in standard units
const PARETO_CAP = 1.5 + 0.75 * TABLE_LIMIT; // the Pareto(3) value at which (4/3)(x − 1.5) reaches the bound
const PHI_MINUS_HALF = 0.308537538725987; // Φ(−0.5)

/**
 * Mean and sd of each standardised distribution (delay = μ + σ·X). Closed forms: uniform 2U − 1;
 * normal (its ±4 clip lowers the sd by 6e-5, far inside the tolerance); exponential Exp(1); pareto
 * (4/3)(min(X, c) − 1.5) with X ~ Pareto(3), E[min(X, c)] = 1.5 − 1/(2c²), E[min(X, c)²] = 3 − 2/c.
 * paretonormal has none (a clipped sum of comonotone parts): its quantile is integrated numerically.
 */
function standardMoments(dist: DelayDistribution): { mean: number; sd: number } {
  const c = PARETO_CAP;
  switch (dist) {
    case 'uniform':
      return { mean: 0, sd: 1 / Math.sqrt(3) };
    case 'normal':
      return { mean: 0, sd: 1 };
    case 'exponential':
      return { mean: 1, sd: 1 };
    case 'pareto': {
      const m = 1.5 - 1 / (2 * c * c);
      return { mean: (4 / 3) * (m - 1.5), sd: (4 / 3) * Math.sqrt(3 - 2 / c - m * m) };
    }
    case 'paretonormal': {
      const n = 1 << 20;
      let s1 = 0;
      let s2 = 0;
      for (let i = 0; i < n; i++) {
        const x = standardQuantile(dist, (i + 0.5) / n);
        s1 += x;
        s2 += x * x;
      }
      return { mean: s1 / n, sd: Math.sqrt(s2 / n - (s1 / n) ** 2) };
    }
  }
}

const delay = suite('link delay: distributions and correlation');

delay('jitterMs = 0: every delay is exactly delayMs = 40 for every distribution (exact, 100 packets each)', () => {
  for (const distribution of DELAY_DISTRIBUTIONS) {
    const d = delays(simulate({ delayMs: 40, jitterMs: 0, distribution, delayCorrelation: 0.5 }, { count: 100, everyMs: 1 }));
    assert.equal(d, new Array(100).fill(40), distribution);
  }
});

const MU = 100;
const SIGMA = 20;
const N_DELAY = 20_000;

DELAY_DISTRIBUTIONS.forEach((dist, i) => {
  const expected = standardMoments(dist);
  delay(
    `${dist} (μ = ${MU}, σ = ${SIGMA}, 20k packets): mean within ±0.03σ of μ + ${expected.mean.toFixed(4)}σ, ` +
      `sd within ±4 % of ${expected.sd.toFixed(4)}σ, KS distance to delaySample's law (µs grid) < 1.95/√n (α = 0.001)`,
    () => {
      // A seed of its own per distribution, so the five samples are independent.
      const d = delays(simulate({ delayMs: MU, jitterMs: SIGMA, distribution: dist }, { count: N_DELAY }, { seed: SEED + i }));
      assert.is(d.length, N_DELAY);
      within(`${dist} mean (ms)`, mean(d), MU + SIGMA * expected.mean, 0.03 * SIGMA);
      within(`${dist} sd (ms)`, sd(d), SIGMA * expected.sd, 0.04 * SIGMA * expected.sd);
      below(`${dist} KS distance`, ksDistance(d, (u) => onMicrosecondGrid(delaySample(dist, MU, SIGMA, u))), ksCritical(N_DELAY));
    },
  );
});

delay('normal μ = 5, σ = 10 is clipped at 0: no negative delay, P(delay = 0) within ±0.012 of Φ(−0.5) = 0.3085, KS < 1.95/√n (20k packets)', () => {
  const d = delays(simulate({ delayMs: 5, jitterMs: 10, distribution: 'normal' }, { count: N_DELAY }, { seed: SEED + 10 }));
  assert.ok(d.every((x) => x >= 0), 'a negative delay');
  within('P(delay = 0)', fraction(d.map((x) => x === 0)), PHI_MINUS_HALF, 0.012);
  below('clipped normal KS distance', ksDistance(d, (u) => onMicrosecondGrid(delaySample('normal', 5, 10, u))), ksCritical(N_DELAY));
});

for (const rho of [0.5, 0.9]) {
  delay(`delayCorrelation ρ = ${rho} (uniform, 40k packets): lag-1 autocorrelation of u within ±0.02 of ρ, var(u) within ±8 % of (1−ρ)/(1+ρ)/12, mean(u) within ±0.01 of 1/2`, () => {
    const d = delays(simulate({ delayMs: MU, jitterMs: SIGMA, delayCorrelation: rho }, { count: 40_000 }));
    const u = d.map((x) => (x - MU) / (2 * SIGMA) + 0.5); // invert delay = μ + σ(2u − 1)
    const v = (1 - rho) / (1 + rho) / 12;
    within(`ρ = ${rho}: lag-1 autocorrelation`, lag1(u), rho, 0.02);
    within(`ρ = ${rho}: var(u)`, variance(u), v, 0.08 * v);
    within(`ρ = ${rho}: mean(u)`, mean(u), 0.5, 0.01);
  });
}

delay.run();

// ---- loss ----------------------------------------------------------------------------------------

const loss = suite('link loss: random, Gilbert-Elliott, libwebrtc burst');

/** Loss flags in send order of `n` packets over a link with `model`. */
const lossRun = (model: LossModel, n: number) => lossFlags(simulate({ loss: model }, { count: n }));

loss('random p = 0.1 (50k packets): loss rate within ±0.006 of 0.1, lag-1 autocorrelation of the loss flags within ±0.02 of 0', () => {
  const flags = lossRun({ model: 'random', p: 0.1 }, 50_000);
  within('random loss rate', fraction(flags), 0.1, 0.006);
  within('random lag-1 autocorrelation', lag1(flags.map(Number)), 0, 0.02);
});

const GE_CASES: { label: string; model: Extract<LossModel, { model: 'gemodel' }>; formula: number }[] = [
  {
    label: 'p = 0.05, r = 0.3, 1−h = 0.8, 1−k = 0.02',
    model: { model: 'gemodel', p: 0.05, r: 0.3, lossInBad: 0.8, lossInGood: 0.02 },
    formula: (0.05 / 0.35) * 0.8 + (0.3 / 0.35) * 0.02,
  },
  // netem's Bernoulli special case: only p given, so r = 1 − p, 1−h = 1, 1−k = 0
  { label: 'p = 0.1 alone', model: { model: 'gemodel', p: 0.1 }, formula: 0.1 },
];
for (const { label, model, formula } of GE_CASES) {
  loss(`gemodel ${label} (200k packets): loss rate within ±0.007 of p/(p+r)·(1−h) + r/(p+r)·(1−k) = ${formula.toFixed(4)}`, () => {
    assert.ok(Math.abs(expectedLossRate(model) - formula) < 1e-12, 'expectedLossRate agrees with the formula');
    within(`gemodel ${label}: loss rate`, fraction(lossRun(model, 200_000)), formula, 0.007);
  });
}

loss('gemodel p = 0.02, r = 0.25, 1−h = 1, 1−k = 0 (200k packets): loss within ±0.006 of p/(p+r) = 0.0741, mean burst within ±0.25 of 1/r = 4', () => {
  const flags = lossRun({ model: 'gemodel', p: 0.02, r: 0.25 }, 200_000);
  within('gemodel loss rate', fraction(flags), 0.02 / 0.27, 0.006);
  within('gemodel mean burst length', mean(runLengths(flags)), 4, 0.25);
});

loss('burst rate = 0.1, meanBurstLength = 3 (200k packets): loss within ±0.006 of 0.1, mean burst within ±0.12 of 3', () => {
  const flags = lossRun({ model: 'burst', rate: 0.1, meanBurstLength: 3 }, 200_000);
  within('burst loss rate', fraction(flags), 0.1, 0.006);
  within('burst mean burst length', mean(runLengths(flags)), 3, 0.12);
});

loss('burst: meanBurstLength must exceed ceil(rate/(1−rate)), else a ConfigError naming meanBurstLength (exact)', () => {
  const world = (rate: number, meanBurstLength: number) => new World({ seed: SEED, network: { loss: { model: 'burst', rate, meanBurstLength } } });
  for (const [rate, length, minimum] of [
    [0.6, 2, 2], // ceil(1.5)
    [0.5, 1, 1], // ceil(1)
    [0.1, 1, 1], // ceil(0.11)
  ] as const) {
    assert.throws(
      () => world(rate, length),
      (e: unknown) => e instanceof ConfigError && e.field === 'network.loss.meanBurstLength' && e.message.includes(`a number > ${minimum}`),
      `rate ${rate}, meanBurstLength ${length}`,
    );
  }
  world(0.6, 2.01);
  world(0.1, 1.01);
});

loss.run();

// ---- capacity ------------------------------------------------------------------------------------

const capacity = suite('link capacity: serialisation and tail drop');

/** 1000 kbps and 100 B + 25 B overhead: one packet takes exactly 1 ms to serialise. */
const ONE_MS_PACKETS = { rateKbps: 1000, packetOverheadBytes: 25, delayMs: 20 } as const;

capacity('10 × (100 B + 25 B overhead) sent at once on 1000 kbps, delay 20 ms: arrivals exactly at 21, 22, …, 30 ms, in order (exact)', () => {
  const run = simulate(ONE_MS_PACKETS, { count: 10, size: 100 });
  assert.equal(
    run.delivered.map((d) => d.t),
    [21, 22, 23, 24, 25, 26, 27, 28, 29, 30],
  );
  assert.equal(
    run.delivered.map((d) => d.id),
    run.sent.map((p) => p.id),
  );
});

capacity('queuePackets = 4, bursts of 10 at 0, 10 and 11.5 ms: 4 + 4 + 1 delivered, 21 tail drops with reason queue (exact)', () => {
  const run = simulate({ ...ONE_MS_PACKETS, queuePackets: 4 }, [0, 10, 11.5].map((start) => ({ count: 10, size: 100, start })));
  // At 11.5 ms the packets departing at 12, 13 and 14 ms still occupy the queue (the one on the wire counts).
  assert.equal(
    run.delivered.map((d) => d.t),
    [21, 22, 23, 24, 31, 32, 33, 34, 35],
  );
  const index = new Map(run.sent.map((p, i) => [p.id, i]));
  assert.equal(
    run.delivered.map((d) => index.get(d.id)),
    [0, 1, 2, 3, 10, 11, 12, 13, 20],
  );
  assert.equal(
    run.trace.ofKind('drop').map((d) => [d.t, index.get(d.packet), d.reason]),
    [...range(4, 10).map((i) => [0, i, 'queue']), ...range(14, 20).map((i) => [10, i, 'queue']), ...range(21, 30).map((i) => [11.5, i, 'queue'])],
  );
  assert.is(run.world.link('a', 'b', 'media').stats.queueDrops, 21);
  assert.is(run.world.stats.dropped.queue, 21);
});

capacity.run();

// ---- reordering ----------------------------------------------------------------------------------

const reordering = suite('link reordering: jitter, the libwebrtc clamp, netem reorder/gap');

/** Uniform delay 50 ± 40 ms on packets 1 ms apart: plenty of chances to overtake. */
const JITTERY = { delayMs: 50, jitterMs: 40 } as const;
const N_ORDER = 20_000;

reordering('allowReordering true, delay 50 ± 40 ms uniform, 1 ms apart (20k packets): adjacent pairs swapped within ±0.015 of (79/80)²/2 = 0.4876', () => {
  const run = simulate(JITTERY, { count: N_ORDER, everyMs: 1 });
  const arrivals = run.sent.map((p) => run.arrival.get(p.id)!);
  const swapped = arrivals.slice(1).map((t, k) => t < arrivals[k]!);
  within('fraction of adjacent pairs swapped', fraction(swapped), (79 / 80) ** 2 / 2, 0.015);
});

reordering('allowReordering false, same draws (20k packets): arrival order = send order, each arrival exactly the running max of the unclamped arrivals (exact)', () => {
  const free = simulate(JITTERY, { count: N_ORDER, everyMs: 1 });
  const clamped = simulate({ ...JITTERY, allowReordering: false }, { count: N_ORDER, everyMs: 1 });
  assert.equal(
    clamped.delivered.map((d) => d.id),
    clamped.sent.map((p) => p.id),
  );
  let max = -Infinity;
  const expected = free.sent.map((p) => (max = Math.max(max, free.arrival.get(p.id)!)));
  assert.equal(
    clamped.sent.map((p) => clamped.arrival.get(p.id)),
    expected,
  );
});

/** Send indices of the packets delivered before some packet sent earlier. */
function overtakers(run: Run): number[] {
  const index = new Map(run.sent.map((p, i) => [p.id, i]));
  const order = run.delivered.map((d) => index.get(d.id)!);
  const found: number[] = [];
  let earliestLater = Infinity; // earliest send index among the packets delivered after this one
  for (let k = order.length - 1; k >= 0; k--) {
    if (earliestLater < order[k]!) found.push(order[k]!);
    earliestLater = Math.min(earliestLater, order[k]!);
  }
  return found.sort((a, b) => a - b);
}

for (const { p, gap } of [
  { p: 0.1, gap: 1 },
  { p: 0.25, gap: 5 },
]) {
  const expected = 1 / (gap - 1 + 1 / p); // one reorder per cycle of gap − 1 normal packets plus a Geometric(p) wait
  reordering(
    `reorder p = ${p}, gap ${gap}, delay 50 ms, 1 ms apart (40k packets): overtaking fraction within ±0.006 of 1/(gap−1+1/p) = ${expected}; ` +
      `overtakers have delay 0, others exactly 50; ≥ ${gap - 1} normal packets between two reorders (exact)`,
    () => {
      const run = simulate({ delayMs: 50, reorder: p, reorderGap: gap }, { count: 40_000, everyMs: 1 });
      const fast = overtakers(run);
      within(`reorder ${p} gap ${gap}: overtaking fraction`, fast.length / run.sent.length, expected, 0.006);
      const d = delays(run);
      const zero = d.flatMap((x, i) => (x === 0 ? [i] : []));
      assert.ok(d.every((x) => x === 0 || x === 50), 'a delay other than 0 or 50');
      assert.ok(fast.every((i) => d[i] === 0), 'an overtaker was delayed');
      assert.is(zero.length, run.world.link('a', 'b', 'media').stats.reordered);
      const spacing = Math.min(...zero.slice(1).map((i, k) => i - zero[k]!));
      report(`reorder ${p} gap ${gap}: smallest spacing of two reorders`, spacing, `≥ ${gap}`);
      assert.ok(spacing >= gap, `two reorders ${spacing} packets apart`);
    },
  );
}

reordering.run();

// ---- duplication and corruption ------------------------------------------------------------------

const copies = suite('link duplication and corruption');

const N_COPY = 20_000;

copies('duplicate p = 0.1, delay 30 ± 10 ms (20k packets): rate within ±0.008; each copy traced with a fresh id, delivered once with the same bytes (exact); own delay draw: mean |Δdelay| within ±0.4 of 20/3 ms', () => {
  const run = simulate({ delayMs: 30, jitterMs: 10, duplicate: 0.1 }, { count: N_COPY });
  const dups = run.trace.ofKind('duplicate');
  within('duplicate rate', dups.length / N_COPY, 0.1, 0.008);
  const sentById = new Map(run.sent.map((p) => [p.id, p]));
  const copyOf = new Map(dups.map((e) => [e.copy, e.packet]));
  assert.is(copyOf.size, dups.length, 'copy ids are unique');
  assert.is(new Set(dups.map((e) => e.packet)).size, dups.length, 'a packet duplicated twice');
  assert.ok(dups.every((e) => sentById.has(e.packet) && !sentById.has(e.copy)), 'a copy reuses a sent id');
  // Every original and every copy arrives exactly once; a copy carries its original's bytes.
  assert.is(run.delivered.length, N_COPY + dups.length);
  assert.is(new Set(run.delivered.map((d) => d.id)).size, run.delivered.length);
  for (const d of run.delivered) {
    const original = sentById.get(copyOf.get(d.id) ?? d.id);
    assert.ok(original !== undefined, `delivered packet #${d.id} was never sent`);
    assert.equal(d.bytes, original.bytes);
  }
  // Two independent U(20, 40) delays differ by 20/3 ms on average; a shared draw would differ by 0.
  within('mean |copy delay − original delay| (ms)', mean(dups.map((e) => Math.abs(run.arrival.get(e.copy)! - run.arrival.get(e.packet)!))), 20 / 3, 0.4);
  assert.is(run.world.link('a', 'b', 'media').stats.duplicated, dups.length);
});

copies('duplicate 0.5 with random loss 0.5 (20k packets): duplicates within ±0.012 of 0.25 per packet, deliveries within ±0.015 of 0.875 per packet', () => {
  // netem: a duplicated packet that is also lost goes once (P 0.25, no copy); a surviving copy (P 0.25)
  // re-enters the link and faces the loss again: 0.75 originals + 0.25 · 0.5 copies arrive per packet.
  const run = simulate({ duplicate: 0.5, loss: { model: 'random', p: 0.5 } }, { count: N_COPY });
  within('duplicates per packet', run.trace.ofKind('duplicate').length / N_COPY, 0.25, 0.012);
  within('deliveries per packet', run.delivered.length / N_COPY, 0.875, 0.015);
});

copies('corrupt p = 0.05 (20k × 32 B): rate within ±0.005; a corrupted packet differs from what was sent in exactly the bit its trace names, others arrive intact (exact)', () => {
  const run = simulate({ corrupt: 0.05 }, { count: N_COPY, size: 32 });
  const corrupt = new Map(run.trace.ofKind('corrupt').map((e) => [e.packet, e]));
  within('corruption rate', corrupt.size / N_COPY, 0.05, 0.005);
  const sentById = new Map(run.sent.map((p) => [p.id, p]));
  assert.is(run.delivered.length, N_COPY);
  for (const d of run.delivered) {
    const e = corrupt.get(d.id);
    assert.equal(flippedBits(sentById.get(d.id)!.bytes, d.bytes), e === undefined ? [] : [[e.byte, e.bit]], `packet #${d.id}`);
  }
  const events = [...corrupt.values()];
  assert.is(new Set(events.map((e) => e.byte)).size, 32, 'every byte position is hit');
  assert.is(new Set(events.map((e) => e.bit)).size, 8, 'every bit is hit');
  assert.is(run.world.link('a', 'b', 'media').stats.corrupted, corrupt.size);
});

/** The [byte, bit] positions where two equally long byte strings differ. */
function flippedBits(a: Uint8Array, b: Uint8Array): [number, number][] {
  const bytes = range(0, a.length).filter((i) => a[i] !== b[i]);
  return bytes.flatMap((i) => range(0, 8).flatMap((bit): [number, number][] => (((a[i]! ^ b[i]!) >> bit) & 1 ? [[i, bit]] : [])));
}

copies.run();

// ---- slots and stalls ----------------------------------------------------------------------------

const gates = suite('link delivery gates: netem slots, random stalls');

const SLOT_BURSTS = 1000;

for (const { slot, size } of [
  { slot: { minMs: 5, maxMs: 15, packets: 4 }, size: 16 },
  { slot: { minMs: 5, maxMs: 15, bytes: 100 }, size: 30 }, // 4 × 30 B: the packet that crosses the budget still goes
]) {
  const limit = 'packets' in slot ? 'packets 4' : 'bytes 100 (30 B packets)';
  gates(
    `slot 5–15 ms ${limit}, bursts of 10 every 100 ms (1000 bursts): batches of exactly 4, 4, 2 in send order, ` +
      `each opening 5–15 ms after the burst or the previous full batch (exact), mean gap within ±0.2 of 10 ms`,
    () => {
      const run = simulate({ slot }, Array.from({ length: SLOT_BURSTS }, (_, b) => ({ count: 10, size, start: 100 * b })));
      const groups = batches(run);
      assert.equal(
        groups.map((g) => g.packets.length),
        new Array(SLOT_BURSTS).fill([4, 4, 2]).flat(),
      );
      assert.equal(groups.flatMap((g) => g.packets), range(0, run.sent.length));
      const gaps = groups.map((g, i) => g.t - (i % 3 === 0 ? 100 * (i / 3) : groups[i - 1]!.t));
      report('smallest gap (ms)', Math.min(...gaps), '≥ 5');
      report('largest gap (ms)', Math.max(...gaps), '≤ 15');
      assert.ok(gaps.every((g) => g >= 5 && g <= 15), 'a gap outside [5, 15] ms');
      within('mean gap between openings (ms)', mean(gaps), 10, 0.2);
    },
  );
}

gates('slot openings and stall ends keep deliveries on the microsecond grid (README: "simulated time has microsecond grain"; exact, 1000 packets each)', () => {
  for (const link of [{ slot: { minMs: 5, maxMs: 15, packets: 4 } }, { stall: { meanIntervalMs: 200, meanDurationMs: 50 } }]) {
    const run = simulate(link, { count: 1000, everyMs: 1 });
    const off = run.delivered.filter((d) => onMicrosecondGrid(d.t) !== d.t).map((d) => d.t);
    assert.equal(off.slice(0, 3), [], `${Object.keys(link)[0]}: ${off.length} of ${run.delivered.length} deliveries off the grid`);
  }
});

/** Packets 4 ms apart for 400 s (100k packets, about 1600 stalls) through random stalls, no delay. */
const STALL_SPACING = 4;
const stallRun = (fixedDuration: boolean) =>
  simulate({ stall: { meanIntervalMs: 200, meanDurationMs: 50, fixedDuration } }, { count: 100_000, everyMs: STALL_SPACING });

/** The stalls seen in a run: batches of packets held past their send time; checks each is a clean burst. */
function stalls(run: Run): { t: number; first: number; size: number }[] {
  const groups = batches(run);
  const found = groups.map((g) => ({ t: g.t, first: g.packets[0]!, size: g.packets.length })).filter((g) => g.t > run.sent[g.first]!.sentAt);
  assert.equal(groups.flatMap((g) => g.packets), range(0, run.sent.length), 'deliveries leave in send order');
  for (const s of found) {
    // Everything sent from the stall's first packet until its end is released in that one burst.
    const next = run.sent[s.first + s.size];
    assert.ok(next === undefined || next.sentAt >= s.t, `a packet sent at ${next?.sentAt} inside the stall ending at ${s.t} got through`);
  }
  return found;
}

gates('stall mean interval 200 ms, mean duration 50 ms (100k packets over 400 s): each stall ends in one burst (exact); stalled fraction within ±0.02 of 50/250 = 0.2', () => {
  const run = stallRun(false);
  const found = stalls(run);
  report('stalls seen', found.length, 'about 400000/250 = 1600, less the short ones that hold no packet');
  within('fraction of packets stalled', sum(found.map((s) => s.size)) / run.sent.length, 0.2, 0.02);
  assert.is(sum(found.map((s) => s.size)), run.world.link('a', 'b', 'media').stats.stalled);
});

gates('stall fixedDuration 50 ms, mean interval 200 ms (100k packets over 400 s): each burst comes 46–50 ms after its first held packet (exact), stall count within ±130 of 400000/250 = 1600', () => {
  const run = stallRun(true);
  const found = stalls(run);
  for (const s of found) {
    const held = s.t - run.sent[s.first]!.sentAt; // the stall began less than one spacing before its first held packet
    assert.ok(held > 50 - STALL_SPACING && held <= 50, `a stall ending at ${s.t} held its first packet ${held} ms`);
  }
  within('number of stalls', found.length, 1600, 130);
});

gates.run();

// ---- determinism ---------------------------------------------------------------------------------

const determinism = suite('link determinism: seeds and independent streams');

/** Every model at once. */
const BUSY: LinkOverrides = {
  delayMs: 30,
  jitterMs: 10,
  distribution: 'paretonormal',
  delayCorrelation: 0.3,
  loss: { model: 'gemodel', p: 0.05, r: 0.4, lossInBad: 0.9 },
  duplicate: 0.05,
  corrupt: 0.05,
  reorder: 0.05,
  reorderGap: 3,
  rateKbps: 2000,
  queuePackets: 20,
  slot: { minMs: 1, maxMs: 4, packets: 6 },
  stall: { meanIntervalMs: 300, meanDurationMs: 20 },
};
const BUSY_TRAFFIC: Traffic = { count: 5000, everyMs: 0.5, size: 64 };

determinism('same seed, every model on (5k packets): identical traces; another seed: different arrival times (exact)', () => {
  const lines = (seed: number) => simulate(BUSY, BUSY_TRAFFIC, { seed }).trace.lines();
  const first = lines(SEED);
  assert.equal(lines(SEED), first);
  const other = lines(SEED + 1);
  assert.not.equal(other.filter((l) => l.includes(' deliver ')), first.filter((l) => l.includes(' deliver ')));
});

determinism('changing the loss model leaves the delay draws alone, and changing the delay leaves the losses alone (5k packets, exact)', () => {
  const base = { delayMs: 50, jitterMs: 20, distribution: 'normal' } as const;
  const traffic = { count: 5000 };
  const lossless = delays(simulate(base, traffic));
  for (const model of [
    { model: 'random', p: 0.2 },
    { model: 'gemodel', p: 0.05, r: 0.3 },
    { model: 'burst', rate: 0.2, meanBurstLength: 4 },
  ] as const) {
    const run = simulate({ ...base, loss: model }, traffic);
    const lossy = delays(run);
    assert.ok(lossy.length < 4500, `${model.model} lost too little to matter`);
    // Only survivors draw a delay, so the k-th survivor gets the k-th draw of the lossless run.
    assert.equal(lossy, lossless.slice(0, lossy.length), model.model);
    const otherDelay = simulate({ delayMs: 5, jitterMs: 3, distribution: 'pareto', loss: model }, traffic);
    assert.equal(lossFlags(otherDelay), lossFlags(run), model.model);
  }
});

determinism('adding node c with links a→c and c→b leaves every a→b send, delivery, drop, duplicate and corruption unchanged (5k packets, exact)', () => {
  const toB: Traffic = { ...BUSY_TRAFFIC, start: 0.25 };
  const alone = simulate(BUSY, toB);
  const crowded = simulate(BUSY, [{ ...BUSY_TRAFFIC, to: 'c' }, toB, { ...BUSY_TRAFFIC, from: 'c', start: 0.1 }], { nodes: ['c', 'a', 'b'] });
  assert.ok(crowded.delivered.length > alone.delivered.length * 2, 'the extra links carried traffic');
  assert.equal(linkStory(crowded, 'a', 'b'), linkStory(alone, 'a', 'b'));
});

/** Every send, delivery, drop, duplicate and corruption on one link, in order, without packet ids (they are world-wide). */
function linkStory(run: Run, from: PeerId, to: PeerId): string[] {
  return run.trace.events
    .filter((e) => (e.kind === 'deliver' ? e.from === from && e.node === to : 'to' in e && e.node === from && e.to === to))
    .map((e) => encodeTraceEvent(e).replace(/#\d+/g, '#'));
}

determinism.run();

// ---- ground truth ---------------------------------------------------------------------------------

const truth = suite('link ground truth: the recent mean delay');

truth('ground truth: the mean delay of a link is the plain mean of what arrived in the last 5 s, exact; the wait a hold fault adds is not counted', () => {
  // 600 packets, one every 10 ms, on a jittery a→b link; every 10th is kept for 200 ms by a hold fault
  const run = simulate(JITTERY, { count: 600, everyMs: 10 });
  const truth = run.world.link('a', 'b', 'media').stats.meanDelayMs!;
  const last = Math.max(...run.delivered.map((d) => d.t));
  const recent = run.sent.filter((p) => run.arrival.get(p.id)! >= last - TRUE_DELAY_WINDOW_MS).map((p) => run.arrival.get(p.id)! - p.sentAt);
  assert.ok(recent.length >= 490 && recent.length < 600, `${recent.length} packets in the window`);
  assert.ok(Math.abs(truth - mean(recent)) < 1e-9, `${truth} vs ${mean(recent)}`);
  // a path whose delay steps from 10 to 50 ms: 5 s after the step the truth is the new delay exactly
  const log: Payloads = { sent: [], received: [] };
  const world = new World<Send, never>({ seed: SEED, network: { delayMs: 10 } });
  for (const id of ['a', 'b']) world.addNode(id, blaster(log));
  schedule(world, { count: 1000, everyMs: 10 });
  world.at(2000, (w) => w.setLink('a', 'b', { delayMs: 50 }));
  world.at(4000, (w) => w.hold('a', 'b'));
  world.at(4200, (w) => w.release('a', 'b'));
  world.runUntil(1999);
  assert.is(world.link('a', 'b', 'media').stats.meanDelayMs, 10);
  world.runUntil(3000);
  const mixed = world.link('a', 'b', 'media').stats.meanDelayMs!;
  assert.ok(mixed > 10 && mixed < 50, `${mixed}`);
  world.runUntil(7100);
  assert.is(world.link('a', 'b', 'media').stats.meanDelayMs, 50, 'the packets the hold kept are left out, and the 10 ms ones have left');
});

truth.run();
