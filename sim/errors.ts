/**
 * Errors the simulator raises for bad configuration, so callers (the CLI, scenario loaders) can name the
 * problem and exit 2 instead of crashing. A configuration error always names the field, the allowed
 * values and what was given.
 */

/** An invalid simulator, link or scenario configuration. */
export class ConfigError extends Error {
  /** @param field dotted path of the bad field, e.g. `links.alice>bob.loss.p` */
  constructor(
    readonly field: string,
    readonly allowed: string,
    readonly got: unknown,
  ) {
    super(`${field}: expected ${allowed}, got ${describe(got)}`);
    this.name = 'ConfigError';
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value == null) return String(value);
  try {
    return JSON.stringify(value);
  } catch {
    return typeof value;
  }
}
