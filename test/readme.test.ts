/**
 * The README stays true: its preset table is the one generated from sim/presets.ts, and every npm script
 * it names exists.
 */
import { readFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
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

test.run();
