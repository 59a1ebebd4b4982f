/**
 * The playout algorithms a run can use: the lab's built-in ones by name, or any module whose default
 * export is a `PlayoutAlgorithm` (`{ name, create }`) or a function making a `PlayoutController` (named
 * by its `algorithm`). `--playout` takes either, in `npm run sim -- run` and in the playout lab
 * (`npm run bench -- playout`). A module's controller is checked for the interface's four methods
 * once, when it is loaded, so a wrong export is a usage error, not a crash in the middle of a run.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PLAYOUT_ALGORITHMS, type PlayoutAlgorithm, type PlayoutController } from '../protocol/media/index.ts';
import { ConfigError } from '../sim/index.ts';

/** A playout algorithm and where it came from (`builtin` or the module path given). */
export interface PlayoutChoice {
  /** The algorithm. */
  readonly algorithm: PlayoutAlgorithm;
  /** `builtin`, or the module's path as given. */
  readonly source: string;
}

/** What a module must export, said in every refusal. */
const EXPECTED = 'a module whose default export is a PlayoutAlgorithm ({ name, create }) or a function returning a PlayoutController';

/** Resolve `flag`'s value `spec`: a built-in algorithm's name, or a module path. */
export async function loadPlayout(spec: string, flag = '--playout'): Promise<PlayoutChoice> {
  const builtin = PLAYOUT_ALGORITHMS.find((a) => a.name === spec);
  if (builtin !== undefined) return { algorithm: builtin, source: 'builtin' };
  const names = PLAYOUT_ALGORITHMS.map((a) => a.name).join(', ');
  if (!/[/\\.]/.test(spec)) throw new ConfigError(flag, `one of ${names}, or a module path`, spec);
  let exported: unknown;
  try {
    exported = ((await import(pathToFileURL(resolve(spec)).href)) as { default?: unknown }).default;
  } catch (error) {
    throw new ConfigError(flag, 'a module that can be imported', `${spec} (${(error as Error).message.split('\n')[0]})`);
  }
  // a PlayoutAlgorithm, or a function making controllers (named by theirs)
  const given = typeof exported === 'object' && exported !== null && typeof (exported as PlayoutAlgorithm).create === 'function' ? (exported as PlayoutAlgorithm) : undefined;
  if (given === undefined && typeof exported !== 'function') throw new ConfigError(flag, EXPECTED, spec);
  const create = given === undefined ? (exported as () => PlayoutController) : () => given.create();
  let controller: Partial<PlayoutController> | undefined;
  try {
    controller = create();
  } catch (error) {
    throw new ConfigError(flag, `${EXPECTED} (its create() threw: ${(error as Error).message})`, spec);
  }
  const missing = (['handle', 'pollOutput', 'stats', 'targetDelayMs'] as const).filter((m) => typeof controller?.[m] !== 'function');
  if (missing.length > 0) throw new ConfigError(flag, `${EXPECTED} (its controller lacks ${missing.join(', ')})`, spec);
  const name: unknown = given === undefined ? controller!.algorithm : given.name;
  if (typeof name !== 'string' || name === '') throw new ConfigError(flag, `${EXPECTED}, with a name`, spec);
  if (PLAYOUT_ALGORITHMS.some((a) => a.name === name)) throw new ConfigError(flag, `an algorithm named other than the built-in ${names}`, `${spec} (named ${name})`);
  return { algorithm: given ?? { name, create }, source: spec };
}
