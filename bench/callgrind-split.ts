/**
 * Reads the output of `valgrind --tool=callgrind` on a node process and splits its instruction count:
 * the optimizing compiler's share (TurboFan and Maglev, which run on a background thread in a normal
 * run but on the main thread under `--single-threaded`), and, given the V8 code map the process wrote
 * (`--perf-basic-prof`), the instructions of each JavaScript function, builtin and C++ function.
 * Used by `bench/instructions.sh`:
 *   tsx bench/callgrind-split.ts <callgrind.out> [perf-<pid>.map]    prints `{ total, compiler, functions? }` (JSON)
 *   tsx bench/callgrind-split.ts --per-packet <short.json> <long.json> <packets> [top]
 *     prints the difference of two such counts per packet, by function, largest first (JS functions
 *     keyed by name and place in the script, so that two runs' code objects match)
 *
 * Theory of operation. The callgrind file lists, per object and function, cost lines `<position> <Ir>`
 * whose position is absolute (`0x…`, a number) or relative to the last one (`+n`, `-n`, `*`); a cost
 * line after `calls=` is the call's inclusive cost and is skipped (a line has one position per
 * column named in `positions:`, then the cost), so every instruction is counted
 * once, at the function that ran it (inlined callees count in their caller). Names are compressed:
 * `fn=(id) name` the first time, `fn=(id)` after, in `fn=`, `cfn=`, `ob=` and `cob=` lines alike. JIT
 * code has no object name; with `--dump-instr=yes` its positions are addresses, which the code map
 * (one `start size name` line per code object, hexadecimal) names.
 */
import { createReadStream, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

/** C++ functions that are the optimizing compilers' work. */
const COMPILER = /v8::internal::(compiler|maglev|turboshaft)::|v8::internal::Zone|OptimizedCompilationJob|Pipeline/;

/** A code map: sorted starts, and each one's end and name. */
interface CodeMap {
  readonly starts: number[];
  readonly ends: number[];
  readonly names: string[];
}

function readCodeMap(path: string): CodeMap {
  const rows = readFileSync(path, 'utf8')
    .split('\n')
    .map((line) => /^([0-9a-f]+) ([0-9a-f]+) (.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ start: parseInt(m[1]!, 16), size: parseInt(m[2]!, 16), name: m[3]! }))
    .sort((a, b) => a.start - b.start);
  return { starts: rows.map((r) => r.start), ends: rows.map((r) => r.start + r.size), names: rows.map((r) => r.name) };
}

/** The name of the code object holding `address`, if any. */
function codeAt(map: CodeMap, address: number): string | undefined {
  let lo = 0;
  let hi = map.starts.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (map.starts[mid]! <= address) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found >= 0 && address < map.ends[found]! ? map.names[found] : undefined;
}

/** A function's key across runs: a JS function without its tier marker and script directory. */
const portable = (name: string): string => name.replace(/^JS:[*~^+]?/, 'JS:').replace(/file:\/\/\/\S*\//, '');

/** Print the top `top` functions of `long` − `short`, per packet. */
function perPacket(shortFile: string, longFile: string, packets: number, top: number): void {
  const load = (path: string): Map<string, number> => {
    const counts = new Map<string, number>();
    for (const [name, n] of Object.entries((JSON.parse(readFileSync(path, 'utf8')) as { functions: Record<string, number> }).functions)) {
      counts.set(portable(name), (counts.get(portable(name)) ?? 0) + n);
    }
    return counts;
  };
  const short = load(shortFile);
  const long = load(longFile);
  const rows = [...new Set([...short.keys(), ...long.keys()])].map((name) => ({ name, n: ((long.get(name) ?? 0) - (short.get(name) ?? 0)) / packets }));
  rows.sort((a, b) => b.n - a.n);
  for (const { name, n } of rows.slice(0, top)) console.log(`${Math.round(n).toLocaleString('en-US').padStart(8)}  ${name}`);
}

async function main(): Promise<void> {
  if (process.argv[2] === '--per-packet') {
    const [shortFile, longFile, packets, top = '40'] = process.argv.slice(3);
    return perPacket(shortFile!, longFile!, Number(packets), Number(top));
  }
  const [file, mapFile] = process.argv.slice(2);
  if (file === undefined) {
    console.error('usage: tsx bench/callgrind-split.ts <callgrind.out> [perf-<pid>.map]');
    process.exit(2);
  }
  const map = mapFile === undefined ? undefined : readCodeMap(mapFile);
  const names = new Map<string, string>();
  const cost = new Map<string, number>();
  let object = '';
  let fn = '';
  let position = 0;
  let skip = false;
  let inCompiler = false;
  let columns = 1; // position columns before the cost: `positions: instr line` makes two
  let total = 0;
  let compiler = 0;
  const named = (kind: 'ob' | 'fn', line: string): string => {
    const m = /^c?(?:ob|fn)=\((\d+)\)(?: (.*))?$/.exec(line)!;
    if (m[2] !== undefined) names.set(kind + m[1], m[2]);
    return names.get(kind + m[1]) ?? '';
  };
  for await (const line of createInterface({ input: createReadStream(file) })) {
    const head = line.charCodeAt(0);
    const isCost = (head >= 48 && head <= 57) || line[0] === '+' || line[0] === '-' || line[0] === '*';
    if (!isCost) {
      if (line.startsWith('ob=')) object = named('ob', line);
      else if (line.startsWith('fn=')) inCompiler = COMPILER.test((fn = named('fn', line)));
      else if (line.startsWith('cob=')) named('ob', line);
      else if (line.startsWith('cfn=')) named('fn', line);
      else if (line.startsWith('calls=')) skip = true;
      else if (line.startsWith('positions:')) columns = line.split(/\s+/).length - 1;
      continue;
    }
    const fields = line.split(' ');
    const at = fields[0]!;
    if (at.startsWith('0x')) position = parseInt(at, 16);
    else if (at[0] === '+') position += parseInt(at.slice(1), 16);
    else if (at[0] === '-') position -= parseInt(at.slice(1), 16);
    else if (at !== '*') position = parseInt(at, 10);
    if (skip) {
      skip = false;
      continue;
    }
    const n = Number(fields[columns] ?? 0);
    total += n;
    const jit = object === '' || object.includes('???');
    if (!jit && inCompiler) compiler += n;
    if (map !== undefined) {
      const key = jit ? (codeAt(map, position) ?? '(unnamed code)') : `${fn} [${object.split('/').pop()}]`;
      cost.set(key, (cost.get(key) ?? 0) + n);
    }
  }
  console.log(JSON.stringify(map === undefined ? { total, compiler } : { total, compiler, functions: Object.fromEntries(cost) }));
}

await main();
