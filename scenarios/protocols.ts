/**
 * The call protocols scenarios can run: the reference protocol by name, or any module that exports a
 * protocol plug-in (its default export is a `Protocol` speaking the call vocabulary of protocol/api.ts,
 * or a function from the reference protocol's config to one). `--protocol` takes either.
 */
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { callProtocol, type ProtocolConfig } from '../protocol/index.ts';
import { ConfigError } from '../sim/index.ts';
import type { CallProtocol } from './session.ts';

/** A protocol as the scenario runner uses it: a name and a maker that takes the scenario's constants. */
export interface ProtocolChoice {
  /** Name shown in reports. */
  readonly name: string;
  /** Where it came from (`builtin` or a module path), for replay commands. */
  readonly source: string;
  /** A protocol instance for a scenario's constants. */
  make(config: Partial<ProtocolConfig> | undefined): CallProtocol;
  /** Whether it runs a media plane the media invariants can judge (`media` query); default true. */
  readonly media?: boolean;
}

/** The reference protocol. */
export const CALLSIM: ProtocolChoice = { name: 'callsim', source: 'callsim', make: (config) => callProtocol(config) };

/** Built-in protocols by name. */
export const BUILTIN_PROTOCOLS: Readonly<Record<string, ProtocolChoice>> = { callsim: CALLSIM };

/** Resolve `--protocol`: a built-in name or a module path. */
export async function loadProtocol(spec: string): Promise<ProtocolChoice> {
  const builtin = BUILTIN_PROTOCOLS[spec];
  if (builtin !== undefined) return builtin;
  if (!/[/\\.]/.test(spec)) throw new ConfigError('--protocol', `one of ${Object.keys(BUILTIN_PROTOCOLS).join(', ')} or a module path`, spec);
  let mod: { default?: unknown };
  try {
    mod = (await import(pathToFileURL(resolve(spec)).href)) as { default?: unknown };
  } catch (error) {
    throw new ConfigError('--protocol', 'a module that can be imported', `${spec} (${(error as Error).message.split('\n')[0]})`);
  }
  const exported = mod.default;
  if (typeof exported === 'function') {
    const make = exported as (config: Partial<ProtocolConfig> | undefined) => CallProtocol;
    return { name: make(undefined).name, source: spec, make };
  }
  if (typeof exported === 'object' && exported !== null && typeof (exported as CallProtocol).create === 'function') {
    const protocol = exported as CallProtocol;
    return { name: protocol.name, source: spec, make: () => protocol };
  }
  throw new ConfigError('--protocol', 'a module whose default export is a Protocol or a function returning one', spec);
}
