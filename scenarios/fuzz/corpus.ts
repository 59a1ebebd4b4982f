/**
 * The regression corpus: every fuzz case that ever failed on the reference protocol, kept in the
 * repository (scenarios/fuzz/corpus.json) and replayed by `npm test`, so a bug once found stays fixed.
 * Cases are stored whole (not only their seeds), so they replay exactly even after the generators change.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FuzzCase } from './cases.ts';

/** One corpus entry. */
export interface CorpusEntry {
  /** The property that found it. */
  readonly property: string;
  /** Its case seed when found. */
  readonly caseSeed: number;
  /** The invariants it broke when found. */
  readonly invariants: readonly string[];
  /** The shrunk case. */
  readonly case: FuzzCase;
}

const FILE = fileURLToPath(new URL('./corpus.json', import.meta.url));

/** Every entry of the corpus. */
export function loadCorpus(): CorpusEntry[] {
  if (!existsSync(FILE)) return [];
  return (JSON.parse(readFileSync(FILE, 'utf8')) as { cases: CorpusEntry[] }).cases;
}

/** Add `entry` unless the same case is there already; returns whether it was added. */
export function recordInCorpus(entry: CorpusEntry): boolean {
  const cases = loadCorpus();
  const key = JSON.stringify(entry.case);
  if (cases.some((c) => JSON.stringify(c.case) === key)) return false;
  cases.push(entry);
  writeFileSync(FILE, JSON.stringify({ cases }, null, 2) + '\n');
  return true;
}
