/**
 * Replaying failures: one-line replay tokens, and fuzz cases saved as scenario files people can run.
 *
 * A token is `cs1.` + base64url(deflate(JSON of { protocol, case })): everything needed to rerun a fuzz
 * case exactly, in one shell word (`npm run sim -- replay <token>`). A saved file is a TypeScript
 * scenario module under reports/fuzz/ that rebuilds the same case (`npm run sim -- run <file>`).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { FuzzCase } from './fuzz/cases.ts';

/** What a token carries. */
export interface ReplayPayload {
  /** The protocol's source: a built-in name or a module path. */
  readonly protocol: string;
  /** The fuzz property that found it. */
  readonly property: string;
  /** The case. */
  readonly case: FuzzCase;
}

const PREFIX = 'cs1.';

/** Encode a payload as a one-word token. */
export function encodeToken(payload: ReplayPayload): string {
  return PREFIX + deflateRawSync(Buffer.from(JSON.stringify(payload))).toString('base64url');
}

/** Decode a token; throws an Error naming the problem. */
export function decodeToken(token: string): ReplayPayload {
  if (!token.startsWith(PREFIX)) throw new Error(`a replay token starts with ${PREFIX}`);
  try {
    const payload = JSON.parse(inflateRawSync(Buffer.from(token.slice(PREFIX.length), 'base64url')).toString('utf8')) as ReplayPayload;
    if (typeof payload.protocol !== 'string' || typeof payload.case !== 'object') throw new Error('fields missing');
    return payload;
  } catch (error) {
    throw new Error(`the replay token is damaged (${(error as Error).message})`);
  }
}

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Save a shrunk case as a runnable scenario file under reports/fuzz/; returns its path relative to the repository. */
export function saveCaseFile(name: string, payload: ReplayPayload, note: string): string {
  const dir = join(ROOT, 'reports', 'fuzz');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.ts`);
  const body = `// ${note}
// Run it: npm run sim -- run reports/fuzz/${name}.ts${payload.protocol === 'callsim' ? '' : ` --protocol ${payload.protocol}`}
import { caseScenario } from '../../scenarios/fuzz/cases.ts';

export default caseScenario(${JSON.stringify(payload.case, null, 2)}, ${JSON.stringify(name)});
`;
  writeFileSync(file, body);
  return relative(process.cwd(), file) || file;
}
