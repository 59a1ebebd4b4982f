/**
 * The README stays true: its preset and invariant tables are the ones in the code, and every npm script
 * it names exists.
 */
import { readFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { INVARIANTS } from '../scenarios/invariants.ts';
import { presetTable } from '../sim/index.ts';

const test = suite('readme: the documentation matches the code');
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> };

test('the preset table is generated from sim/presets.ts', () => {
  const table = /<!-- presets:start -->\n([\s\S]*?)\n<!-- presets:end -->/.exec(readme)?.[1];
  assert.is(table, presetTable());
});

test('every `npm run X` in the README is a script in package.json', () => {
  const named = new Set([...readme.matchAll(/npm run ([a-z:-]+)/g)].map((m) => m[1]!));
  assert.ok(named.size >= 5);
  for (const name of named) assert.ok(name in pkg.scripts, `README names npm run ${name}, package.json has no such script`);
});

test('the invariant table lists every invariant with its requirement and statement', () => {
  const table = /<!-- invariants:start -->\n([\s\S]*?)\n<!-- invariants:end -->/.exec(readme)?.[1];
  const rows = Object.entries(INVARIANTS).map(([name, [req, statement]]) => `| \`${name}\` | ${req} | ${statement} |`);
  assert.is(table, ['| invariant | guards | statement |', '|---|---|---|', ...rows].join('\n'));
});

test.run();
