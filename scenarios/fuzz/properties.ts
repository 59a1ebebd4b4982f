/**
 * The fuzzer's properties: each draws a kind of case and holds when the run breaks no invariant.
 * `any` is the general one; the other three are the design card's: concurrent incoming calls, group
 * leave/rejoin, and simultaneous join/leave races.
 */
import type fc from 'fast-check';
import { anyCaseArb, boundedStateArb, concurrentIncomingArb, groupLeaveRejoinArb, joinLeaveRaceArb, mediaCaseArb } from './arbitraries.ts';
import type { FuzzCase } from './cases.ts';

/** A named property of the fuzzer. */
export interface FuzzProperty {
  /** Name used by `--property` and in reports. */
  readonly name: string;
  /** What its cases look like. */
  readonly description: string;
  /** The case generator. */
  readonly arbitrary: fc.Arbitrary<FuzzCase>;
}

/** Every property, in the order `npm run fuzz` runs them. */
export const PROPERTIES: readonly FuzzProperty[] = [
  { name: 'any', description: '2–8 peers, any commands, any faults, any network', arbitrary: anyCaseArb() },
  { name: 'concurrent-incoming', description: 'several peers call the same peer within 200 ms', arbitrary: concurrentIncomingArb() },
  { name: 'group-leave-rejoin', description: 'one group call, many joins, leaves, rejoins and restarts', arbitrary: groupLeaveRejoinArb() },
  { name: 'join-leave-race', description: 'joins, leaves, rejects and dials bunched into the same milliseconds', arbitrary: joinLeaveRaceArb() },
  { name: 'bounded-state', description: 'any case, with a 2 s prune time: calls idle through the quiet phase must be forgotten', arbitrary: boundedStateArb() },
  { name: 'media', description: '2–4 peers with audio: everyone heard, the muted silent, the deafened hearing nothing', arbitrary: mediaCaseArb() },
];

/** The property called `name`, or undefined. */
export function findProperty(name: string): FuzzProperty | undefined {
  return PROPERTIES.find((p) => p.name === name);
}
