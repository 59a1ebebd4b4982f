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
 *
 * Mechanics: every field is one or two big-endian 32-bit words (a float64 is its high then its low
 * half), and the CRC is folded in from those words as they are written or read (crc32.ts's
 * `crc32Word`), not over the bytes in a second pass. Audio frames, nearly every packet, have their own
 * straight-line encoder and decoder (`encodeAudio`, `parseAudio`); the three sync packets share a
 * generic one that goes through the words in a loop. Both make exactly the same bytes and refusals
 * as a plain DataView codec with `crc32` over the bytes (test/wire.test.ts checks this).
 */
import { CRC32_START, crc32Word } from './crc32.ts';

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

// Every field is made of big-endian 32-bit words: the uint32, and each float64 as its high then low
// half. One scratch float, seen as its two 32-bit halves, turns a float into its halves and back (no
// DataView per packet). The CRC is folded in from the same words (crc32Word), with no second pass.
const scratch = new Float64Array(1);
const scratchWords = new Int32Array(scratch.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
/** Index in `scratchWords` of the float's high (first on the wire) and low halves. */
const HIGH = LITTLE_ENDIAN ? 1 : 0;
const LOW = 1 - HIGH;

/** A sync packet's body as words, as read or to be written: its uint32, then its floats' halves. */
const WORDS = new Int32Array(1 + 2 * 4);

/** Set WORDS[i] and WORDS[i + 1] to the halves of `value`. */
function setHalves(i: number, value: number): void {
  scratch[0] = value;
  WORDS[i] = scratchWords[HIGH]!;
  WORDS[i + 1] = scratchWords[LOW]!;
}

/** Write the word `w` big-endian at `at`. */
function put(bytes: Uint8Array, at: number, w: number): void {
  bytes[at] = w >> 24;
  bytes[at + 1] = w >> 16;
  bytes[at + 2] = w >> 8;
  bytes[at + 3] = w;
}

/** The big-endian word at `at`, as an int32. */
function word(bytes: Uint8Array, at: number): number {
  return (bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!;
}

/** Write the CRC-32 of the body from `crc32Word`'s register `r` after its last word: `~r` little-endian is the CRC big-endian. */
function putCrc(bytes: Uint8Array, r: number): void {
  bytes[1] = ~r;
  bytes[2] = ~r >> 8;
  bytes[3] = ~r >> 16;
  bytes[4] = ~r >> 24;
}

/** Whether the CRC-32 in `bytes` is the body's, given `crc32Word`'s register `r` after the body's last word. */
function crcMatches(bytes: Uint8Array, r: number): boolean {
  return ~r === (bytes[1]! | (bytes[2]! << 8) | (bytes[3]! << 16) | (bytes[4]! << 24));
}

/** The float64 of halves `high` and `low`. */
function f64(high: number, low: number): number {
  scratchWords[HIGH] = high;
  scratchWords[LOW] = low;
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

/**
 * Encode an audio frame from its fields (the per-tick path: no message object). Offsets are literals
 * here and in `parseAudio` (kind 4 at 0, CRC at 1, seq at 5, stream at 9, mediaMs at 17: 25 bytes):
 * V8 would load module constants and add them, overflow-checked, per packet.
 */
export function encodeAudio(seq: number, stream: number, mediaMs: number): Uint8Array {
  const high = HIGH;
  const low = LOW;
  const u = seq | 0; // the uint32's bits, as writing `seq` byte by byte stores them
  scratch[0] = stream;
  const s1 = scratchWords[high]!;
  const s2 = scratchWords[low]!;
  scratch[0] = mediaMs;
  const m1 = scratchWords[high]!;
  const m2 = scratchWords[low]!;
  const bytes = new Uint8Array(25);
  bytes[0] = 4;
  put(bytes, 5, u);
  put(bytes, 9, s1);
  put(bytes, 13, s2);
  put(bytes, 17, m1);
  put(bytes, 21, m2);
  putCrc(bytes, crc32Word(crc32Word(crc32Word(crc32Word(crc32Word(CRC32_START, u), s1), s2), m1), m2));
  return bytes;
}

/** A sync packet of kind byte `kind`: its uint32 `u`, then the first `FLOATS[kind]` of `a` … `d`, checksummed. */
function frame(kind: number, u: number, a: number, b: number, c = 0, d = 0): Uint8Array {
  const floats = FLOATS[kind]!;
  WORDS[0] = u;
  setHalves(1, a);
  setHalves(3, b);
  if (floats > 2) setHalves(5, c);
  if (floats > 3) setHalves(7, d);
  const bytes = new Uint8Array(sizeOf(kind));
  bytes[0] = kind;
  let r = CRC32_START;
  for (let i = 0; i <= 2 * floats; i++) {
    put(bytes, HEADER + 4 * i, WORDS[i]!);
    r = crc32Word(r, WORDS[i]!);
  }
  putCrc(bytes, r);
  return bytes;
}

/** An audio frame's fields (`bytes` is 25 bytes of kind 4; literals: see `encodeAudio`), written into `into` if given, or why not. */
function parseAudio(bytes: Uint8Array, into?: AudioRecord): MediaMessage | MediaCodecError {
  const u = word(bytes, 5);
  const s1 = word(bytes, 9);
  const s2 = word(bytes, 13);
  const m1 = word(bytes, 17);
  const m2 = word(bytes, 21);
  if (!crcMatches(bytes, crc32Word(crc32Word(crc32Word(crc32Word(crc32Word(CRC32_START, u), s1), s2), m1), m2))) {
    return refuse('checksum', 25, 4);
  }
  const stream = f64(s1, s2);
  const mediaMs = f64(m1, m2);
  if (!Number.isFinite(stream) || !Number.isFinite(mediaMs)) return refuse('out-of-range', 25, 4);
  const seq = u >>> 0;
  if (into === undefined) return { type: 'audio', seq, stream, mediaMs };
  into.seq = seq;
  into.stream = stream;
  into.mediaMs = mediaMs;
  return into;
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
  if (bytes.length === 25 && bytes[0] === 4) return parseAudio(bytes, into); // an audio frame (literals: see parseAudio)
  if (bytes.length < HEADER) return refuse('bad-length', bytes.length, -1);
  const kind = bytes[0]!;
  if (kind < KIND.sync1 || kind > KIND.audio) return refuse('unknown-kind', bytes.length, kind);
  if (bytes.length !== sizeOf(kind)) return refuse('bad-length', bytes.length, kind);
  // a sync packet (an audio frame took the path above; any other packet of kind 4 has the wrong
  // length), its body read word by word into WORDS
  const floats = FLOATS[kind]!;
  let r = CRC32_START;
  for (let i = 0; i <= 2 * floats; i++) r = crc32Word(r, (WORDS[i] = word(bytes, HEADER + 4 * i)));
  if (!crcMatches(bytes, r)) return refuse('checksum', bytes.length, kind);
  const u = WORDS[0]! >>> 0;
  const a = f64(WORDS[1]!, WORDS[2]!);
  const b = f64(WORDS[3]!, WORDS[4]!);
  const c = floats > 2 ? f64(WORDS[5]!, WORDS[6]!) : 0;
  const d = floats > 3 ? f64(WORDS[7]!, WORDS[8]!) : 0;
  // its times, then its half (NaN: none)
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
