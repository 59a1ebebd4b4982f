/**
 * The media-stream workload shared by the `simulator` and `fake-timers` benches, so both move the same
 * traffic: `PACKETS_PER_TICK` packets every millisecond from a sender to a receiver over a link with
 * normal jitter and random loss, everything drawn from one seed.
 */
import type { LinkOverrides } from '../sim/link-config.ts';

/** Root seed of every random draw in the media-stream workloads. */
export const SEED = 20_240_601;

/** Milliseconds between two bursts of the sender. */
export const SEND_INTERVAL_MS = 1;

/**
 * Packets per burst: 25 packets/ms over a 40 ms path keep ~1000 packets in flight, the same queue depth
 * as the `ceiling` loop, so the three workloads compare like with like.
 */
export const PACKETS_PER_TICK = 25;

/** The media link: 40 ms ± 10 ms (normal), 2 % random loss. */
export const MEDIA_LINK = {
  delayMs: 40,
  jitterMs: 10,
  distribution: 'normal',
  loss: { model: 'random', p: 0.02 },
} as const satisfies LinkOverrides;

/** Bytes in each packet. */
export const PAYLOAD_BYTES = 12;

/** Distinct prebuilt payloads the senders cycle through (building bytes is the protocol's cost, not the loop's). */
const POOL = Array.from({ length: 256 }, (_, seq) => {
  const bytes = new Uint8Array(PAYLOAD_BYTES);
  new DataView(bytes.buffer).setUint32(0, seq);
  return bytes;
});

/** The packet for sequence number `seq` (one of 256 prebuilt payloads). */
export function payload(seq: number): Uint8Array {
  return POOL[seq & 255]!;
}
