/**
 * Seeded randomness, split into independent named streams.
 *
 * Theory of operation: a world has one root seed (an unsigned 32-bit integer). Every consumer of
 * randomness (one per link direction and concern, one per node, one per fault source) asks for a stream
 * by a stable name such as `link/alice>bob/signaling/loss`. The stream's 128-bit state is derived by
 * hashing the root seed with the name (MurmurHash3 finalisers over FNV-1a), and the generator is
 * pure-rand's xoroshiro128+. Streams never share state, so adding a peer, a link or a fault source
 * changes nobody else's draws, and the order in which streams are created does not matter.
 */
import { xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus';
import type { RandomSource } from '../protocol/contract.ts';

const TWO_POW_32 = 4294967296;
const TWO_POW_53 = 9007199254740992;

/** One independent stream of random numbers. */
export class RandomStream implements RandomSource {
  private readonly rng: { next(): number };

  /** A stream whose state is derived from `rootSeed` and `name`. */
  constructor(rootSeed: number, readonly name: string) {
    this.rng = xoroshiro128plusFromState(deriveState(rootSeed, name));
  }

  /** A uniform unsigned 32-bit integer. */
  nextUint32(): number {
    return this.rng.next() >>> 0;
  }

  /** A uniform float in [0, 1) with 53 bits of randomness. */
  nextFloat(): number {
    const hi = this.rng.next() >>> 5;
    const lo = this.rng.next() >>> 6;
    return (hi * 67108864 + lo) / TWO_POW_53;
  }

  /** A uniform float in (0, 1]: safe for logarithms and inverse powers. */
  nextOpenFloat(): number {
    return 1 - this.nextFloat();
  }

  /** A uniform integer in [0, n). */
  nextInt(n: number): number {
    return Math.floor(this.nextFloat() * n);
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return p > 0 && this.nextFloat() < p;
  }
}

/** Normalise a user seed to an unsigned 32-bit integer (accepts any safe integer). */
export function normaliseSeed(seed: number): number {
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
  return ((seed % TWO_POW_32) + TWO_POW_32) % TWO_POW_32;
}

/** Creates and caches the named streams of one root seed. */
export class RandomStreams {
  private readonly streams = new Map<string, RandomStream>();

  /** Streams derived from `seed` (normalised to 32 bits). */
  constructor(readonly seed: number) {
    this.seed = normaliseSeed(seed);
  }

  /** The stream called `name` (created on first use; the same object afterwards). */
  stream(name: string): RandomStream {
    let s = this.streams.get(name);
    if (s === undefined) {
      s = new RandomStream(this.seed, name);
      this.streams.set(name, s);
    }
    return s;
  }
}

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

function deriveState(rootSeed: number, name: string): number[] {
  // Two independent 32-bit hashes of the name, so distinct names collide with odds of 2^-64.
  let h1 = 0x811c9dc5 ^ rootSeed;
  let h2 = 0x9747b28c ^ Math.imul(rootSeed, 0x27d4eb2d);
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995) ^ (h2 >>> 15);
  }
  const state: number[] = [0, 1, 2, 3].map((k) => fmix32((k & 1 ? h2 : h1) ^ fmix32(rootSeed + Math.imul(k + 1, 0x9e3779b9) + (k & 2 ? h1 : h2))));
  if (!state.some((w) => w !== 0)) state[0] = 1;
  return state;
}
