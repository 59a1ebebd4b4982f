/**
 * fast-check arbitraries for fuzz cases, and the four properties' case shapes.
 *
 * Theory of operation: every part of a case is drawn by fast-check, so every part shrinks: arrays of
 * commands and faults shrink by removal, times towards 0, indexes towards 0, the network towards a
 * perfect one (swarm testing: each case draws its own loss, duplication, reordering, corruption,
 * delay and jitter, often zero). The dedicated properties narrow the shape: `concurrent-incoming`
 * makes several peers dial one target within a short window; `group-leave-rejoin` runs one group call
 * through many joins, leaves and rejoins; `join-leave-race` puts commands of different peers, and of
 * one peer, in the same millisecond.
 */
import fc from 'fast-check';
import { CASE_DURATION_MS, type FuzzCase, type FuzzCommand, type FuzzFault, type FuzzNetwork } from './cases.ts';

const time = fc.integer({ min: 0, max: CASE_DURATION_MS - 1 });
const index = fc.nat({ max: 7 });

/** 0 or a value in `range`; a shrinking value may jump to 0 (a perfect network is the simplest). */
const zeroOr = (range: fc.Arbitrary<number>) => fc.oneof({ withCrossShrink: true }, fc.constant(0), range);

/** A network for one case, shrinking towards perfect. */
export const networkArb: fc.Arbitrary<FuzzNetwork> = fc.record({
  delayMs: zeroOr(fc.integer({ min: 1, max: 300 })),
  jitterMs: zeroOr(fc.integer({ min: 1, max: 100 })),
  loss: zeroOr(fc.double({ min: 0.01, max: 0.3, noNaN: true })),
  bursty: fc.boolean(),
  duplicate: zeroOr(fc.double({ min: 0.01, max: 0.3, noNaN: true })),
  reorder: zeroOr(fc.double({ min: 0.01, max: 0.2, noNaN: true })),
  corrupt: zeroOr(fc.double({ min: 0.01, max: 0.1, noNaN: true })),
});

/** One user command at any time. */
export function commandArb(at: fc.Arbitrary<number> = time, node: fc.Arbitrary<number> = index): fc.Arbitrary<FuzzCommand> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.record({ at, node, op: fc.constant('dial' as const), targets: fc.array(index, { minLength: 1, maxLength: 4 }) }) },
    { weight: 4, arbitrary: fc.record({ at, node, op: fc.constant('join' as const), call: index }) },
    { weight: 1, arbitrary: fc.record({ at, node, op: fc.constant('reject' as const), call: index }) },
    { weight: 3, arbitrary: fc.record({ at, node, op: fc.constant('leave' as const) }) },
    { weight: 1, arbitrary: fc.record({ at, node, op: fc.constantFrom('mute' as const, 'deafen' as const), on: fc.boolean() }) },
    { weight: 1, arbitrary: fc.record({ at, node, op: fc.constant('off-on' as const), offMs: fc.integer({ min: 0, max: 10_000 }) }) },
  );
}

/** One fault episode. */
export const faultArb: fc.Arbitrary<FuzzFault> = fc.oneof(
  fc.record({ at: time, durationMs: fc.integer({ min: 100, max: 15_000 }), kind: fc.constant('partition' as const), side: fc.integer({ min: 1, max: 254 }) }),
  fc.record({ at: time, durationMs: fc.integer({ min: 100, max: 15_000 }), kind: fc.constant('hold' as const), node: index, peer: index }),
  fc.record({ at: time, durationMs: fc.integer({ min: 0, max: 15_000 }), kind: fc.constant('crash' as const), node: index }),
  fc.record({ at: time, durationMs: fc.integer({ min: 0, max: 15_000 }), kind: fc.constant('pause' as const), node: index }),
  // Clocks are skewed from the start (offset and drift): a monotonic clock never steps mid-run.
  fc.record({
    at: fc.constant(0),
    durationMs: fc.constant(0),
    kind: fc.constant('skew' as const),
    node: index,
    offsetMs: fc.integer({ min: -60_000, max: 60_000 }),
    driftPpm: fc.integer({ min: -500, max: 500 }),
  }),
);

const seedArb = fc.nat();

/** Any case: 2 to 8 peers, up to `maxCommands` commands and `maxFaults` faults. */
export function anyCaseArb(maxCommands = 30, maxFaults = 6): fc.Arbitrary<FuzzCase> {
  return fc.record({
    peers: fc.integer({ min: 2, max: 8 }),
    seed: seedArb,
    network: networkArb,
    commands: fc.array(commandArb(), { maxLength: maxCommands, size: 'max' }),
    faults: fc.array(faultArb, { maxLength: maxFaults, size: 'max' }),
  });
}

/** Any case, with the protocol told to forget idle calls after `pruneAfterMs`, and checked for it. */
export function boundedStateArb(pruneAfterMs = 2000): fc.Arbitrary<FuzzCase> {
  return anyCaseArb().map((c) => ({ ...c, pruneAfterMs }));
}

/** A small call with the media plane on: 2 to 4 peers join one call early, then up to 10 commands and 2 faults. */
export function mediaCaseArb(): fc.Arbitrary<FuzzCase> {
  return fc
    .record({
      peers: fc.integer({ min: 2, max: 4 }),
      seed: seedArb,
      network: networkArb,
      joins: fc.array(fc.integer({ min: 1, max: 3_000 }), { minLength: 3, maxLength: 3 }),
      commands: fc.array(commandArb(), { maxLength: 10, size: 'max' }),
      faults: fc.array(faultArb, { maxLength: 2 }),
    })
    .map(({ peers, seed, network, joins, commands, faults }) => ({
      peers,
      seed,
      network,
      commands: [
        { at: 0, node: 0, op: 'dial', targets: Array.from({ length: peers - 1 }, (_, i) => i) } as FuzzCommand,
        ...joins.slice(0, peers - 1).map((at, i): FuzzCommand => ({ at, node: i + 1, op: 'join', call: 0 })),
        ...commands,
      ],
      faults,
      audio: true,
    }));
}

/** Several peers dial the same target within `windowMs`, then the target and others act. */
export function concurrentIncomingArb(windowMs = 200): fc.Arbitrary<FuzzCase> {
  return fc
    .record({
      peers: fc.integer({ min: 3, max: 6 }),
      seed: seedArb,
      network: networkArb,
      start: fc.integer({ min: 0, max: 5_000 }),
      dialers: fc.array(fc.record({ node: fc.integer({ min: 1, max: 7 }), delay: fc.integer({ min: 0, max: windowMs }), group: fc.array(index, { maxLength: 2 }) }), { minLength: 2, maxLength: 4 }),
      after: fc.array(commandArb(fc.integer({ min: 5_000, max: CASE_DURATION_MS - 1 })), { maxLength: 12, size: 'max' }),
      faults: fc.array(faultArb, { maxLength: 3 }),
    })
    .map(({ peers, seed, network, start, dialers, after, faults }) => ({
      peers,
      seed,
      network,
      // peer 0 is the target: every dialer (never peer 0) calls it, some with others (a group call);
      // dial targets index the dialer's *other* peers, where peer 0 is always index 0
      commands: [...dialers.map(({ node, delay, group }): FuzzCommand => ({ at: start + delay, node: 1 + (node % (peers - 1)), op: 'dial', targets: [0, ...group] })), ...after],
      faults,
    }));
}

/** One group call that peers join, leave and rejoin many times. */
export function groupLeaveRejoinArb(): fc.Arbitrary<FuzzCase> {
  return fc
    .record({
      peers: fc.integer({ min: 3, max: 8 }),
      seed: seedArb,
      network: networkArb,
      moves: fc.array(fc.record({ at: fc.integer({ min: 100, max: CASE_DURATION_MS - 1 }), node: index, op: fc.constantFrom('join' as const, 'leave' as const, 'leave' as const, 'off-on' as const) }), { minLength: 1, maxLength: 30, size: 'max' }),
      faults: fc.array(faultArb, { maxLength: 4 }),
    })
    .map(({ peers, seed, network, moves, faults }) => ({
      peers,
      seed,
      network,
      commands: [
        { at: 0, node: 0, op: 'dial', targets: Array.from({ length: peers - 1 }, (_, i) => i) } as FuzzCommand,
        ...moves.map((m): FuzzCommand => (m.op === 'off-on' ? { at: m.at, node: m.node, op: 'off-on', offMs: 2_000 } : m.op === 'join' ? { at: m.at, node: m.node, op: 'join', call: 0 } : { at: m.at, node: m.node, op: 'leave' })),
      ],
      faults,
    }));
}

/** Commands bunched into a few instants: different peers, and one peer twice, in the same millisecond. */
export function joinLeaveRaceArb(): fc.Arbitrary<FuzzCase> {
  return fc
    .record({
      peers: fc.integer({ min: 2, max: 6 }),
      seed: seedArb,
      network: networkArb,
      group: fc.boolean(),
      instants: fc.array(fc.integer({ min: 500, max: CASE_DURATION_MS - 1 }), { minLength: 1, maxLength: 4 }),
      moves: fc.array(fc.record({ instant: fc.nat(), node: index, op: fc.constantFrom('join' as const, 'leave' as const, 'reject' as const, 'dial' as const) }), { minLength: 2, maxLength: 24, size: 'max' }),
      faults: fc.array(faultArb, { maxLength: 2 }),
    })
    .map(({ peers, seed, network, group, instants, moves, faults }) => ({
      peers,
      seed,
      network,
      commands: [
        { at: 0, node: 0, op: 'dial', targets: group ? Array.from({ length: peers - 1 }, (_, i) => i) : [0] } as FuzzCommand,
        ...moves.map((m): FuzzCommand => {
          const at = instants[m.instant % instants.length]!;
          return m.op === 'dial' ? { at, node: m.node, op: 'dial', targets: [m.node + 1] } : m.op === 'leave' ? { at, node: m.node, op: 'leave' } : { at, node: m.node, op: m.op, call: 0 };
        }),
      ],
      faults,
    }));
}
