/**
 * The command line behind `npm run sim` and `npm run fuzz`.
 *
 *   npm run sim                      the whole scenario catalog on each scenario's networks
 *   npm run sim -- list | run | replay | survey | fuzz   (each with --help)
 *
 * Exit codes: 0 all passed, 1 an invariant or expectation broke, 2 a usage or configuration error
 * (the message names the bad flag or field and the allowed values).
 */
import { ConfigError } from '../sim/index.ts';
import { UsageError } from './commands/common.ts';
import { FUZZ_HELP, fuzzCommand } from './commands/fuzz.ts';
import { listCommand, replayCommand, RUN_HELP, runCommand } from './commands/run.ts';
import { SURVEY_HELP, surveyCommand } from './commands/survey.ts';

const HELP = `${RUN_HELP}

other commands:
  npm run sim -- survey [...]          measure the network presets with a ping stream
  npm run sim -- fuzz [...]            property-based fuzzing (same as npm run fuzz)
Each command takes --help.`;

const COMMANDS: Record<string, { run: (argv: string[]) => number | Promise<number>; help: string }> = {
  list: { run: listCommand, help: RUN_HELP },
  run: { run: (argv) => runCommand(argv, false), help: RUN_HELP },
  replay: { run: replayCommand, help: RUN_HELP },
  survey: { run: surveyCommand, help: SURVEY_HELP },
  fuzz: { run: fuzzCommand, help: FUZZ_HELP },
};

async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  const command = first !== undefined && !first.startsWith('-') ? COMMANDS[first] : undefined;
  if (first !== undefined && !first.startsWith('-') && command === undefined) {
    return usage(`unknown command "${first}": expected ${Object.keys(COMMANDS).join(', ')}`, HELP);
  }
  if (command === undefined && (first === '--help' || first === '-h')) {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  try {
    return await (command === undefined ? runCommand(argv, true) : command.run(rest));
  } catch (error) {
    if (error instanceof UsageError || error instanceof ConfigError) return usage(error.message, command?.help ?? HELP);
    throw error;
  }
}

function usage(message: string, help: string): number {
  process.stderr.write(`error: ${message}\n\n${help}\n`);
  return 2;
}

process.exitCode = await main(process.argv.slice(2));
