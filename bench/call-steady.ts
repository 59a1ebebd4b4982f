/**
 * One 8-peer group call with audio on `wifi`, run to a given simulated time, printing how many packets
 * were delivered: the program `bench/instructions.sh` counts the instructions of (at two lengths, so
 * that start-up cancels out). Usage: `tsx bench/call-steady.ts <playout> <simulated ms>`.
 */
import { PLAYOUT_ALGORITHMS } from '../protocol/media/index.ts';
import { runGroupCall } from './call.ts';

const [playout = 'callsim', ms = '25000'] = process.argv.slice(2);
const simulatedMs = Number(ms);
const names = PLAYOUT_ALGORITHMS.map((a) => a.name);
if (!names.includes(playout)) {
  console.error(`unknown playout "${playout}" (one of ${names.join(', ')})`);
  process.exit(2);
}
if (!Number.isFinite(simulatedMs) || simulatedMs <= 0) {
  console.error(`bad simulated ms: ${ms}`);
  process.exit(2);
}
console.log(`packets ${runGroupCall(8, simulatedMs, playout).packets}`);
