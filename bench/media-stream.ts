/**
 * The media-stream workload shared by the `simulator` and `fake-timers` benches, so both move the same
 * traffic: one packet every millisecond from a sender to a receiver over a link with normal jitter and
 * random loss, everything drawn from one seed.
 */
import type { LinkOverrides } from '../sim/link-config.ts';

/** Root seed of every random draw in the media-stream workloads. */
export const SEED = 20_240_601;

/** Milliseconds between two packets of the sender. */
export const SEND_INTERVAL_MS = 1;

/** The media link: 40 ms ± 10 ms (normal), 2 % random loss. */
export const MEDIA_LINK = {
  delayMs: 40,
  jitterMs: 10,
  distribution: 'normal',
  loss: { model: 'random', p: 0.02 },
} as const satisfies LinkOverrides;

/** Bytes in each packet. */
export const PAYLOAD_BYTES = 12;

/** A fresh packet carrying sequence number `seq` (big-endian in its first 4 bytes). */
export function payload(seq: number): Uint8Array {
  const bytes = new Uint8Array(PAYLOAD_BYTES);
  bytes[0] = seq >>> 24;
  bytes[1] = (seq >>> 16) & 0xff;
  bytes[2] = (seq >>> 8) & 0xff;
  bytes[3] = seq & 0xff;
  return bytes;
}
