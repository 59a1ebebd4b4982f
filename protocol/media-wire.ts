/**
 * The media channel's messages and their binary codec: the three packets of the time sync and the
 * 20 ms audio frames.
 *
 * Theory of operation: media packets are small and frequent, so they are binary, not JSON. Frame:
 * byte 0 = kind (1–3 sync packet 1–3, 4 audio), bytes 1–4 = CRC-32 of the rest (the simulator corrupts
 * bits, as links do), then fixed-size fields, big-endian. Times are the sender's or echoed local
 * clock readings as float64 milliseconds. A sync packet ends with the sender's delay half (NaN on the
 * wire when it has none). `decodeMedia` (and `parseMedia`, the same without the result wrapper, for
 * the per-packet path) checks the length, kind, checksum and every value's range (a time is finite; a
 * half is finite or absent), and refuses anything else with a typed error; it never throws. On the
 * per-packet path audio frames are encoded from their fields (`encodeAudio`) and decoded into the
 * caller's own record (`parseMedia`'s `into`), so neither allocates a message object.
 */
import { crc32 } from './crc32.ts';

/**
 * What every time-sync packet may carry besides its times: the sender's *delay half* — the mean
 * relative delay (arrival − media time) of the audio it received from the peer lately, plus the mean
 * lead of its own media clock over its send times (time-sync.ts adds the two ends' halves up to the
 * audio's mean round trip). Absent when the sender has none (no audio both ways).
 */
interface DelayHalf {
  readonly half?: number;
}

/** One message on the media channel. */
export type MediaMessage =
  /** Time sync packet 1 (A → B): exchange `id`, A's send time t1. */
  | ({ readonly type: 'sync1'; readonly id: number; readonly t1: number } & DelayHalf)
  /** Packet 2 (B → A): t1 echoed, B's receive time t2 and send time t3. */
  | ({ readonly type: 'sync2'; readonly id: number; readonly t1: number; readonly t2: number; readonly t3: number } & DelayHalf)
  /** Packet 3 (A → B): t3 echoed, A's receive time t4 and send time t5. */
  | ({ readonly type: 'sync3'; readonly id: number; readonly t3: number; readonly t4: number; readonly t5: number } & DelayHalf)
  /**
   * One 20 ms audio frame: sequence number, the sender's stream (a new one each time it starts sending
   * in a call, like RTP's SSRC) and media timestamp (capture time on the sender's media clock, ms).
   */
  | { readonly type: 'audio'; readonly seq: number; readonly stream: number; readonly mediaMs: number };

/** An audio frame as a writable record: `parseMedia` refills one the caller owns. */
export type AudioRecord = { -readonly [K in keyof Extract<MediaMessage, { type: 'audio' }>]: Extract<MediaMessage, { type: 'audio' }>[K] };

/** Why a media packet was refused. */
export interface MediaCodecError {
  readonly code: 'bad-length' | 'unknown-kind' | 'checksum' | 'out-of-range';
  readonly message: string;
}

/** Kind byte of each message. */
const KIND = { sync1: 1, sync2: 2, sync3: 3, audio: 4 } as const;
/** Float64 fields of each kind, after its uint32 (id or seq): a sync packet's times, then its half. */
const FLOATS = [0, 2, 4, 4, 2] as const;
const HEADER = 5;
const BODY = HEADER + 4;

/** Encoded size of a message of kind byte `kind`. */
const sizeOf = (kind: number): number => BODY + 8 * FLOATS[kind]!;

// One scratch float, seen as its two 32-bit halves, for the big-endian float64 fields (no DataView per packet).
const scratch = new Float64Array(1);
const scratchWords = new Uint32Array(scratch.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
/** Index in `scratchWords` of the float's high (first on the wire) and low halves. */
const HIGH = LITTLE_ENDIAN ? 1 : 0;
const LOW = 1 - HIGH;

function writeU32(bytes: Uint8Array, at: number, value: number): void {
  bytes[at] = value >>> 24;
  bytes[at + 1] = value >>> 16;
  bytes[at + 2] = value >>> 8;
  bytes[at + 3] = value;
}

function readU32(bytes: Uint8Array, at: number): number {
  return ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
}

function writeF64(bytes: Uint8Array, at: number, value: number): void {
  scratch[0] = value;
  writeU32(bytes, at, scratchWords[HIGH]!);
  writeU32(bytes, at + 4, scratchWords[LOW]!);
}

function readF64(bytes: Uint8Array, at: number): number {
  scratchWords[HIGH] = readU32(bytes, at);
  scratchWords[LOW] = readU32(bytes, at + 4);
  return scratch[0]!;
}

/** Encode a media message. */
export function encodeMedia(message: MediaMessage): Uint8Array {
  switch (message.type) {
    case 'sync1':
      return frame(KIND.sync1, message.id, message.t1, message.half ?? NaN);
    case 'sync2':
      return frame(KIND.sync2, message.id, message.t1, message.t2, message.t3, message.half ?? NaN);
    case 'sync3':
      return frame(KIND.sync3, message.id, message.t3, message.t4, message.t5, message.half ?? NaN);
    case 'audio':
      return encodeAudio(message.seq, message.stream, message.mediaMs);
  }
}

/** Encode an audio frame from its fields (the per-tick path: no message object). */
export function encodeAudio(seq: number, stream: number, mediaMs: number): Uint8Array {
  return frame(KIND.audio, seq, stream, mediaMs);
}

/** A packet of kind byte `kind`: its uint32 `u`, then the first `FLOATS[kind]` of `a` … `d`, checksummed. */
function frame(kind: number, u: number, a: number, b = 0, c = 0, d = 0): Uint8Array {
  const bytes = new Uint8Array(sizeOf(kind));
  const floats = FLOATS[kind]!;
  bytes[0] = kind;
  writeU32(bytes, HEADER, u);
  writeF64(bytes, BODY, a);
  if (floats > 1) writeF64(bytes, BODY + 8, b);
  if (floats > 2) writeF64(bytes, BODY + 16, c);
  if (floats > 3) writeF64(bytes, BODY + 24, d);
  writeU32(bytes, 1, crc32(bytes, HEADER));
  return bytes;
}

/** Decode a media packet, or say why not. */
export function decodeMedia(bytes: Uint8Array): { ok: true; message: MediaMessage } | { ok: false; error: MediaCodecError } {
  const parsed = parseMedia(bytes);
  return 'code' in parsed ? { ok: false, error: parsed } : { ok: true, message: parsed };
}

/**
 * `decodeMedia` without the result wrapper (one object less per packet): the message, or the error
 * refusing the packet. An audio frame is written into `into` when given (and `into` returned), else
 * into a new object.
 */
export function parseMedia(bytes: Uint8Array, into?: AudioRecord): MediaMessage | MediaCodecError {
  // every refusal's message is built in its own function, called only on that path: written here, the
  // formatting of the kind byte, shared by several messages, was hoisted above the checks and run for
  // every packet
  if (bytes.length < HEADER) return refuse('bad-length', bytes.length, -1);
  const kind = bytes[0]!;
  if (kind < KIND.sync1 || kind > KIND.audio) return refuse('unknown-kind', bytes.length, kind);
  if (bytes.length !== sizeOf(kind)) return refuse('bad-length', bytes.length, kind);
  if (readU32(bytes, 1) !== crc32(bytes, HEADER)) return refuse('checksum', bytes.length, kind);
  const floats = FLOATS[kind]!;
  const u = readU32(bytes, HEADER);
  const a = readF64(bytes, BODY);
  const b = readF64(bytes, BODY + 8);
  const c = floats > 2 ? readF64(bytes, BODY + 16) : 0;
  const d = floats > 3 ? readF64(bytes, BODY + 24) : 0;
  if (kind === KIND.audio) {
    if (!Number.isFinite(a) || !Number.isFinite(b)) return refuse('out-of-range', bytes.length, kind);
    if (into === undefined) return { type: 'audio', seq: u, stream: a, mediaMs: b };
    into.seq = u;
    into.stream = a;
    into.mediaMs = b;
    return into;
  }
  // a sync packet: its times, then its half (NaN: none)
  const half = kind === KIND.sync1 ? b : d;
  if (!Number.isFinite(a) || (kind !== KIND.sync1 && (!Number.isFinite(b) || !Number.isFinite(c))) || half === Infinity || half === -Infinity) {
    return refuse('out-of-range', bytes.length, kind);
  }
  // each kind in two fixed shapes, with and without a half (no object spread on the per-packet path)
  const some = half === half;
  switch (kind) {
    case KIND.sync1:
      return some ? { type: 'sync1', id: u, t1: a, half } : { type: 'sync1', id: u, t1: a };
    case KIND.sync2:
      return some ? { type: 'sync2', id: u, t1: a, t2: b, t3: c, half } : { type: 'sync2', id: u, t1: a, t2: b, t3: c };
    default:
      return some ? { type: 'sync3', id: u, t3: a, t4: b, t5: c, half } : { type: 'sync3', id: u, t3: a, t4: b, t5: c };
  }
}

/** The error refusing a packet of `length` bytes and kind byte `kind` (−1: too short to have one) for `code`. */
function refuse(code: MediaCodecError['code'], length: number, kind: number): MediaCodecError {
  switch (code) {
    case 'bad-length':
      return { code, message: kind < 0 ? `${length} bytes` : `kind ${kind} of ${length} bytes` };
    case 'unknown-kind':
      return { code, message: `kind byte ${kind}` };
    case 'checksum':
      return { code, message: 'payload does not match its CRC-32' };
    case 'out-of-range':
      return {
        code,
        message: kind === KIND.audio ? 'an audio frame carries a value that is not finite' : `kind ${kind} carries a time that is not finite or a half that is infinite`,
      };
  }
}
