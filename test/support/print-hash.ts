/** Prints the busy world's trace hash for the seed given as the first argument (run in a child process). */
import { busyWorld } from './busy-world.ts';

console.log(busyWorld(Number(process.argv[2])).hash);
