/**
 * Every constant of the reference call protocol, with its documented default. A node takes a partial
 * config; `resolveConfig` fills in the defaults and refuses nonsense (a local misuse at construction
 * is a programming error, so it throws, unlike every input to a running node).
 */
import { PLAYOUT_ALGORITHMS, type PlayoutAlgorithm } from './media/index.ts';

/** Timing and size constants of the reference protocol. */
export interface ProtocolConfig {
  /** First retransmission of an unacknowledged state message (ms). Default 500. */
  readonly retransmitInitialMs: number;
  /** Backoff multiplier between retransmissions. Default 2. */
  readonly retransmitBackoff: number;
  /** Longest gap between retransmissions (ms); offers to offline peers keep going at this pace. Default 8000. */
  readonly retransmitMaxMs: number;
  /** How long an incoming call rings before it goes quiet (stays pending) (ms). Default 30000. */
  readonly ringTimeoutMs: number;
  /** Period of the anti-entropy push of one's own state to the others in the active call (ms). Default 5000. */
  readonly antiEntropyMs: number;
  /** How long a call nobody is in is kept before it is forgotten (ms). Default 120000. */
  readonly pruneAfterMs: number;
  /** How long a forgotten call's id is remembered, so late messages cannot resurrect it (ms). Default 600000. */
  readonly tombstoneMs: number;
  /** Most participants in a call, the caller included. Default 16. */
  readonly maxParticipants: number;
  /** Largest wire message accepted (bytes). Default 4096. */
  readonly maxMessageBytes: number;
  /** Open media channels, run the time sync and send audio while in a call. Default true. */
  readonly audio: boolean;
  /** Gap between completed time-sync exchanges on a media channel (ms). Default 250. */
  readonly syncIntervalMs: number;
  /** Time-sync retry when its second packet does not come back (ms). Default 500. */
  readonly syncRetryMs: number;
  /** Playout algorithm of incoming streams: `callsim` (ours), `neteq`, `ramjee-1`, `ramjee-4`, `fixed-3`, or one the protocol was given. Default `callsim`. */
  readonly playout: string;
}

/** The defaults, as documented on `ProtocolConfig`. */
export const DEFAULT_PROTOCOL_CONFIG: ProtocolConfig = Object.freeze({
  retransmitInitialMs: 500,
  retransmitBackoff: 2,
  retransmitMaxMs: 8000,
  ringTimeoutMs: 30_000,
  antiEntropyMs: 5000,
  pruneAfterMs: 120_000,
  tombstoneMs: 600_000,
  maxParticipants: 16,
  maxMessageBytes: 4096,
  audio: true,
  syncIntervalMs: 250,
  syncRetryMs: 500,
  playout: 'callsim',
});

/** A setting `resolveConfig` refuses: which one, what it allows, and what it was given. */
export class ConfigSettingError extends RangeError {
  /** `setting` of `ProtocolConfig` allows `allowed` and was given `got`. */
  constructor(
    readonly setting: string,
    readonly allowed: string,
    readonly got: unknown,
  ) {
    super(`config.${setting}: expected ${allowed}, got ${String(got)}`);
    this.name = 'ConfigSettingError';
  }
}

/** The defaults overridden by `partial`, `playout` naming one of `playouts`; throws a `ConfigSettingError` naming a bad field. */
export function resolveConfig(partial: Partial<ProtocolConfig> = {}, playouts: readonly PlayoutAlgorithm[] = PLAYOUT_ALGORITHMS): ProtocolConfig {
  const config = { ...DEFAULT_PROTOCOL_CONFIG, ...partial };
  for (const [key, value] of Object.entries(config)) {
    if (!(key in DEFAULT_PROTOCOL_CONFIG)) throw new ConfigSettingError(key, `a known setting (${Object.keys(DEFAULT_PROTOCOL_CONFIG).join(', ')})`, value);
    if (key === 'audio') {
      if (typeof value !== 'boolean') throw new ConfigSettingError(key, 'true or false', value);
    } else if (key === 'playout') {
      if (!playouts.some((a) => a.name === value)) throw new ConfigSettingError(key, `one of ${playouts.map((a) => a.name).join(', ')}`, value);
    } else if (!(typeof value === 'number' && Number.isFinite(value) && value > 0)) {
      throw new ConfigSettingError(key, 'a number > 0', value);
    }
  }
  if (config.retransmitBackoff < 1) throw new ConfigSettingError('retransmitBackoff', 'a number >= 1', config.retransmitBackoff);
  if (!Number.isInteger(config.maxParticipants) || config.maxParticipants < 2) throw new ConfigSettingError('maxParticipants', 'an integer >= 2', config.maxParticipants);
  return Object.freeze(config);
}
