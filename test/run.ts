/**
 * The test entry point behind `npm test`: loads every `*.test.ts` under test/ into one uvu run and ends
 * with the line `N passed, N failed` that CI reads. `npm test -- <substring>` runs only matching files.
 */
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

type Runner = () => Promise<[unknown, number, number, number]>;
const globals = globalThis as unknown as { UVU_DEFER: number; UVU_INDEX: number; UVU_QUEUE: (string | Runner)[][] };

const root = fileURLToPath(new URL('.', import.meta.url));
const filter = process.argv[2];

function collect(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .flatMap((e) => (e.isDirectory() ? collect(join(dir, e.name)) : e.name.endsWith('.test.ts') ? [join(dir, e.name)] : []));
}

const files = collect(root).filter((f) => filter === undefined || f.includes(filter));
globals.UVU_DEFER = 1;
const uvu = await import('uvu');
globals.UVU_QUEUE = [];
let index = 0;
for (const file of files) {
  globals.UVU_INDEX = index++;
  globals.UVU_QUEUE.push([relative(root, file)]);
  await import(pathToFileURL(file).href);
}

let total = 0;
let passed = 0;
for (const group of globals.UVU_QUEUE) {
  for (let i = 1; i < group.length; i++) {
    const run = group[i] as Runner;
    group[i] = async () => {
      const result = await run();
      total += result[3];
      passed += result[1];
      return result;
    };
  }
}
await uvu.exec();
console.log(`${passed} passed, ${total - passed} failed`);
if (files.length === 0 || total === 0) {
  console.error(filter === undefined ? 'no tests found' : `no test file matches "${filter}"`);
  process.exitCode = 1;
}
