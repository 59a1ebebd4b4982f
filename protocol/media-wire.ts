/**
 * The media channel's messages and their binary codec: the three packets of the time sync and the
 * 20 ms audio frames.
 *
 * Theory of operation: media packets are small and frequent, so they are binary, not JSON. Frame:
 * byte 0 = kind (1–3 sync packet 1–3, 4 audio), bytes 1–4 = CRC-32 of the rest (the simulator corrupts
 * bits, as links do), then fixed-size fields, big-endian. Times are the sender's or echoed local
 * clock readings as float64 milliseconds. `decodeMedia` checks the length, kind, checksum and every
 * value's range, and refuses anything else with a typed error; it never throws.
 */
import { crc32 } from './crc32.ts';

/** One message on the media channel. */
export type MediaMessage =
  /** Time sync packet 1 (A → B): exchange `id`, A's send time t1. */
  | { readonly type: 'sync1'; readonly id: number; readonly t1: number }
  /** Packet 2 (B → A): t1 echoed, B's receive time t2 and send time t3. */
  | { readonly type: 'sync2'; readonly id: number; readonly t1: number; readonly t2: number; readonly t3: number }
  /** Packet 3 (A → B): t3 echoed, A's receive time t4 and send time t5. */
  | { readonly type: 'sync3'; readonly id: number; readonly t3: number; readonly t4: number; readonly t5: number }
  /**
   * One 20 ms audio frame: sequence number, the sender's stream (a new one each time it opens the
   * channel, like RTP's SSRC) and media timestamp (capture time on the sender's media clock, ms).
   */
  | { readonly type: 'audio'; readonly seq: number; readonly stream: number; readonly mediaMs: number };

/** Why a media packet was refused. */
export interface MediaCodecError {
  readonly code: 'bad-length' | 'unknown-kind' | 'checksum' | 'out-of-range';
  readonly message: string;
}

const KINDS = ['sync1', 'sync2', 'sync3', 'audio'] as const;
const FIELDS: Record<MediaMessage['type'], readonly string[]> = {
  sync1: ['id', 't1'],
  sync2: ['id', 't1', 't2', 't3'],
  sync3: ['id', 't3', 't4', 't5'],
  audio: ['seq', 'stream', 'mediaMs'],
};
const HEADER = 5;

/** Encode a media message. */
export function encodeMedia(message: MediaMessage): Uint8Array {
  const fields = FIELDS[message.type];
  const bytes = new Uint8Array(HEADER + 4 + 8 * (fields.length - 1));
  const view = new DataView(bytes.buffer);
  view.setUint8(0, KINDS.indexOf(message.type) + 1);
  const values = message as unknown as Record<string, number>;
  view.setUint32(HEADER, values[fields[0]!]!);
  fields.slice(1).forEach((f, i) => view.setFloat64(HEADER + 4 + 8 * i, values[f]!));
  view.setUint32(1, crc32(bytes.subarray(HEADER)));
  return bytes;
}

/** Decode a media packet, or say why not. */
export function decodeMedia(bytes: Uint8Array): { ok: true; message: MediaMessage } | { ok: false; error: MediaCodecError } {
  const kind = KINDS[bytes[0]! - 1];
  if (bytes.length < HEADER || kind === undefined) return refuse(bytes.length < HEADER ? 'bad-length' : 'unknown-kind', `kind byte ${bytes[0]}`);
  const fields = FIELDS[kind];
  if (bytes.length !== HEADER + 4 + 8 * (fields.length - 1)) return refuse('bad-length', `${kind} of ${bytes.length} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(1) !== crc32(bytes.subarray(HEADER))) return refuse('checksum', 'payload does not match its CRC-32');
  const message: Record<string, unknown> = { type: kind, [fields[0]!]: view.getUint32(HEADER) };
  for (const [i, f] of fields.slice(1).entries()) {
    const value = view.getFloat64(HEADER + 4 + 8 * i);
    if (!Number.isFinite(value)) return refuse('out-of-range', `${kind}.${f} is ${value}`);
    message[f] = value;
  }
  return { ok: true, message: message as MediaMessage };
}

function refuse(code: MediaCodecError['code'], message: string): { ok: false; error: MediaCodecError } {
  return { ok: false, error: { code, message } };
}
