/**
 * What every command of the CLI shares: usage errors (exit 2), flag parsing helpers, colour that honours
 * NO_COLOR and only reaches a terminal, a progress line for terminals, and aligned tables.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** Write one line to standard output. */
export function print(text: string): void {
  process.stdout.write(text + '\n');
}

/** A command-line mistake: reported with the command's help and exit code 2. */
export class UsageError extends Error {}

/** Parse `argv` with node's parseArgs; unknown flags become a `UsageError` naming them. */
export function parseFlags<T extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message.split('. To specify')[0]!);
  }
}

/** An integer flag (any safe integer). */
export function integerFlag(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new UsageError(`${flag}: expected an integer, got "${text}"`);
  return n;
}

/** A positive number flag. */
export function positiveFlag(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!(Number.isFinite(n) && n > 0)) throw new UsageError(`${flag}: expected a number > 0, got "${text}"`);
  return n;
}

/** A probability flag: `0.05` or `5%`. */
export function probabilityFlag(flag: string, text: string): number {
  const n = text.endsWith('%') ? Number(text.slice(0, -1)) / 100 : Number(text);
  if (!(Number.isFinite(n) && n >= 0 && n <= 1)) throw new UsageError(`${flag}: expected a probability such as 0.05 or 5%, got "${text}"`);
  return n;
}

/** Colour for a terminal (none when NO_COLOR is set or output is not a TTY). */
export function palette(stream: NodeJS.WriteStream = process.stdout) {
  const on = stream.isTTY === true && !('NO_COLOR' in process.env);
  const wrap = (code: number) => (text: string) => (on ? `\x1b[${code}m${text}\x1b[0m` : text);
  return { green: wrap(32), red: wrap(31), yellow: wrap(33), dim: wrap(2), bold: wrap(1) };
}

/** A one-line progress display on stderr, shown only on a terminal. */
export function progress(): { update(text: string): void; done(): void } {
  const tty = process.stderr.isTTY === true;
  let shown = false;
  return {
    update(text) {
      if (!tty) return;
      process.stderr.write(`\r\x1b[K${text}`);
      shown = true;
    },
    done() {
      if (shown) process.stderr.write('\r\x1b[K');
      shown = false;
    },
  };
}

/** Rows aligned under a header; the first column left-aligned, numbers right-aligned. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const plain = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => plain(r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => {
        const pad = ' '.repeat(widths[i]! - plain(c).length);
        return /^[-+0-9.,:x% ]+$/.test(plain(c)) && i > 0 ? pad + c : c + pad;
      })
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}
