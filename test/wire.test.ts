/**
 * The wire codec (protocol/wire.ts): frames round-trip; every typed refusal comes from a minimal
 * hand-made frame (frames with a valid CRC around arbitrary JSON are built here with crc32); property
 * tests with fixed seeds show that random bytes, truncations, bit flips, byte mutations and structural
 * edits are refused with a typed error and never throw; and a node fed malformed frames changes nothing.
 * The media channel's binary codec (protocol/media-wire.ts), which folds its CRC in from the words it
 * reads or writes and has a dedicated audio path, encodes and decodes exactly as a plain reference
 * codec here does (DataView fields, `crc32` over the bytes), bytes, messages and refusals alike.
 */
import fc from 'fast-check';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULT_PROTOCOL_CONFIG } from '../protocol/config.ts';
import type { PeerId } from '../protocol/contract.ts';
import { CRC32_START, crc32, crc32Word } from '../protocol/crc32.ts';
import { decodeMedia, encodeAudio, encodeMedia, parseMedia, type AudioRecord, type MediaMessage } from '../protocol/media-wire.ts';
import { decodeMessage, describeMessage, encodeMessage, WIRE_VERSION, type CallInfo, type CodecError, type CodecErrorCode, type CodecLimits, type WireMessage } from '../protocol/wire.ts';
import { ackMessage, NodeDriver, stateMessage } from './support/node-driver.ts';

const test = suite('codec: versioned frames with CRC-32 and strict validation');

const LIMITS: CodecLimits = { maxMessageBytes: DEFAULT_PROTOCOL_CONFIG.maxMessageBytes, maxParticipants: DEFAULT_PROTOCOL_CONFIG.maxParticipants };
const CODES: readonly CodecErrorCode[] = ['too-short', 'oversize', 'unknown-version', 'checksum', 'malformed', 'unknown-type', 'unknown-field', 'missing-field', 'wrong-type', 'out-of-range'];
const CALL: CallInfo = { id: '0123456789abcdef', initiator: 'alice', participants: ['alice', 'bob', 'carol'] };
const DIRECT: CallInfo = { id: 'fedcba9876543210', initiator: 'bob', participants: ['bob', 'alice'] };
const REGISTER = stateMessage(CALL, 'joined', 1).register;
/** One of each message shape, with its `describeMessage` label. */
const MESSAGES: readonly (readonly [WireMessage, string])[] = [
  [stateMessage(CALL, 'joined', 1), 'state joined v1 0123'],
  [stateMessage(CALL, 'left', 7, { muted: true, deafened: true }), 'state left muted deaf v7 0123'],
  [stateMessage(DIRECT, 'rejected', 2, { deafened: true }), 'state rejected deaf v2 fedc'],
  [ackMessage(CALL.id, 3), 'ack v3 0123'],
];
const SEED = { seed: 42 };

const utf8 = new TextEncoder();

/** A frame with a valid CRC around any payload. */
function frame(payload: string | Uint8Array, version = WIRE_VERSION): Uint8Array {
  const body = typeof payload === 'string' ? utf8.encode(payload) : payload;
  const bytes = new Uint8Array(5 + body.length);
  bytes[0] = version;
  new DataView(bytes.buffer).setUint32(1, crc32(body));
  bytes.set(body, 5);
  return bytes;
}

/** A frame with a valid CRC around `value` as JSON. */
const json = (value: unknown) => frame(JSON.stringify(value));

/** A state message as plain JSON with some of its fields replaced (`undefined` drops a field). */
const state = (call: object = {}, register: object = {}, extra: object = {}) => json({ type: 'state', call: { ...CALL, ...call }, register: { ...REGISTER, ...register }, ...extra });

/** The codec's refusal of `bytes` (fails the test if it accepts them). */
function refusal(bytes: Uint8Array, limits = LIMITS): CodecError {
  const result = decodeMessage(bytes, limits);
  if (result.ok) throw new Error(`accepted ${JSON.stringify(result.message)}`);
  return result.error;
}

const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

/** A frame that differs from `original` is refused with a typed code; an identical one decodes to it. */
function refusedOrSame(bytes: Uint8Array, original: Uint8Array): boolean {
  const result = decodeMessage(bytes, LIMITS);
  if (sameBytes(bytes, original)) return result.ok && sameBytes(encodeMessage(result.message), original);
  return !result.ok && CODES.includes(result.error.code);
}

/** `bytes` with one bit flipped (bit 0 = lowest bit of byte 0). */
const withBit = (bytes: Uint8Array, bit: number) => bytes.map((b, i) => (i === bit >> 3 ? b ^ (1 << (bit & 7)) : b));

// ---- round trip ---------------------------------------------------------------------------------

test('codec: every message type round-trips; the frame is version byte, big-endian CRC-32, UTF-8 JSON', () => {
  for (const [message] of MESSAGES) {
    const bytes = encodeMessage(message);
    assert.equal(bytes, json(message));
    assert.equal(decodeMessage(bytes, LIMITS), { ok: true, message });
  }
  const ack = encodeMessage(ackMessage(CALL.id, 3));
  const payload = utf8.encode('{"type":"ack","callId":"0123456789abcdef","version":3}');
  const crc = crc32(payload);
  assert.equal([...ack.subarray(0, 5)], [1, crc >>> 24, (crc >>> 16) & 0xff, (crc >>> 8) & 0xff, crc & 0xff]);
  assert.equal(ack.subarray(5), payload);
});

test('codec: a frame inside a larger buffer (non-zero byteOffset) decodes the same', () => {
  const [message] = MESSAGES[1]!;
  const bytes = encodeMessage(message);
  const padded = new Uint8Array(bytes.length + 7);
  padded.set(bytes, 3);
  assert.equal(decodeMessage(padded.subarray(3, 3 + bytes.length), LIMITS), { ok: true, message });
});

test('codec: describeMessage labels each message type and names the refusal of a bad frame', () => {
  assert.equal(
    MESSAGES.map(([m]) => describeMessage(encodeMessage(m))),
    MESSAGES.map(([, label]) => label),
  );
  assert.is(describeMessage(new Uint8Array(0)), '?too-short');
  assert.is(describeMessage(withBit(encodeMessage(MESSAGES[0]![0]), 50)), '?checksum');
  assert.is(describeMessage(json({ type: 'hello' })), '?unknown-type');
  // Labels ignore the size limits: a crowded, oversized call is still described.
  const crowd = Array.from({ length: 80 }, (_, i) => `peer-${i}-${'x'.repeat(50)}`);
  const big = encodeMessage(stateMessage({ id: CALL.id, initiator: crowd[0]!, participants: crowd }, 'joined', 4));
  assert.is(describeMessage(big), 'state joined v4 0123');
  assert.is(refusal(big).code, 'oversize');
  // on the media channel: audio by its number, a sync packet by its exchange, a bad packet by its refusal
  const audio = encodeMedia({ type: 'audio', seq: 12, stream: 7, mediaMs: 240 });
  assert.equal(
    [audio, encodeMedia({ type: 'sync1', id: 3, t1: 0 }), withBit(audio, 40), audio.slice(0, 5)].map((bytes) => describeMessage(bytes, 'media')),
    ['audio #12', 'sync1 #3', '?checksum', '?bad-length'],
  );
});

// ---- one minimal frame per refusal --------------------------------------------------------------

/** `[frame, code, exact message]`: the first refusal the decoder meets, field named. */
const REFUSALS: readonly (readonly [string, Uint8Array, CodecErrorCode, string])[] = [
  ['empty', new Uint8Array(0), 'too-short', 'frame of 0 bytes has no payload'],
  ['one byte', Uint8Array.of(1), 'too-short', 'frame of 1 bytes has no payload'],
  ['header only', frame(''), 'too-short', 'frame of 5 bytes has no payload'],
  ['version 2', frame(JSON.stringify(MESSAGES[3]![0]), 2), 'unknown-version', 'wire version 2 (this codec speaks 1)'],
  ['version 0', frame('{}', 0), 'unknown-version', 'wire version 0 (this codec speaks 1)'],
  ['bad CRC', encodeMessage(MESSAGES[3]![0]).map((b, i) => (i === 4 ? b ^ 0xff : b)), 'checksum', 'payload does not match its CRC-32'],
  ['JSON null', json(null), 'wrong-type', 'message must be an object'],
  ['JSON array', json([]), 'wrong-type', 'message must be an object'],
  ['JSON string', json('state'), 'wrong-type', 'message must be an object'],
  ['type offer', json({ type: 'offer' }), 'unknown-type', 'message.type "offer" is not state or ack'],
  ['type State', json({ ...MESSAGES[0]![0], type: 'State' }), 'unknown-type', 'message.type "State" is not state or ack'],
  ['type 7', json({ type: 7 }), 'unknown-type', 'message.type 7 is not state or ack'],
  ['sender as a field', json({ ...MESSAGES[3]![0], from: 'bob' }), 'unknown-field', 'message.from is not a known field'],
  ['call.kind', state({ kind: 'group' }), 'unknown-field', 'call.kind is not a known field'],
  ['register.peer', state({}, { peer: 'alice' }), 'unknown-field', 'register.peer is not a known field'],
  ['__proto__ key', frame('{"type":"ack","callId":"0123456789abcdef","version":1,"__proto__":{}}'), 'unknown-field', 'message.__proto__ is not a known field'],
  ['no type', json({}), 'missing-field', 'message.type is missing'],
  ['ack without version', json({ type: 'ack', callId: CALL.id }), 'missing-field', 'message.version is missing'],
  ['state without register', state({}, {}, { register: undefined }), 'missing-field', 'message.register is missing'],
  ['call without participants', state({ participants: undefined }), 'missing-field', 'call.participants is missing'],
  ['register without deafened', state({}, { deafened: undefined }), 'missing-field', 'register.deafened is missing'],
  ['call a string', state({}, {}, { call: 'x' }), 'wrong-type', 'call must be an object'],
  ['register null', state({}, {}, { register: null }), 'wrong-type', 'register must be an object'],
  ['call.id a number', state({ id: 123 }), 'wrong-type', 'call.id must be a string'],
  ['call.initiator null', state({ initiator: null }), 'wrong-type', 'call.initiator must be a string'],
  ['participants a string', state({ participants: 'alice,bob' }), 'wrong-type', 'call.participants must be an array'],
  ['participant a number', state({ participants: ['alice', 7] }), 'wrong-type', 'call.participants[1] must be a string'],
  ['status a boolean', state({}, { status: true }), 'wrong-type', 'register.status must be a string'],
  ['muted a string', state({}, { muted: 'yes' }), 'wrong-type', 'register.muted must be a boolean'],
  ['deafened a number', state({}, { deafened: 0 }), 'wrong-type', 'register.deafened must be a boolean'],
  ['version a string', state({}, { version: '1' }), 'wrong-type', 'register.version must be a number'],
  ['ack callId a number', json({ type: 'ack', callId: 1, version: 1 }), 'wrong-type', 'callId must be a string'],
  ['ack version null', json({ type: 'ack', callId: CALL.id, version: null }), 'wrong-type', 'version must be a number'],
  ['call id upper case', state({ id: '0123456789ABCDEF' }), 'out-of-range', 'call.id must be 16 lowercase hex digits'],
  ['call id too short', state({ id: '0123456789abcde' }), 'out-of-range', 'call.id must be 16 lowercase hex digits'],
  ['ack call id not hex', json({ type: 'ack', callId: '0123456789abcdeg', version: 1 }), 'out-of-range', 'callId must be 16 lowercase hex digits'],
  ['duplicate participants', state({ participants: ['alice', 'bob', 'alice'] }), 'out-of-range', 'call.participants has duplicates'],
  ['initiator not a participant', state({ initiator: 'dave' }), 'out-of-range', 'call.initiator is not a participant'],
  ['one participant', state({ participants: ['alice'] }), 'out-of-range', 'call.participants has 1 entries (2 to 16)'],
  ['17 participants', state({ participants: Array.from({ length: 17 }, (_, i) => (i === 0 ? 'alice' : `p${i}`)) }), 'out-of-range', 'call.participants has 17 entries (2 to 16)'],
  ['peer id with a space', state({ initiator: 'al ice', participants: ['al ice', 'bob'] }), 'out-of-range', 'call.initiator must be 1 to 64 printable ASCII characters'],
  ['empty peer id', state({ participants: ['alice', ''] }), 'out-of-range', 'call.participants[1] must be 1 to 64 printable ASCII characters'],
  ['65-character peer id', state({ participants: ['alice', 'b'.repeat(65)] }), 'out-of-range', 'call.participants[1] must be 1 to 64 printable ASCII characters'],
  ['non-ASCII peer id', state({ participants: ['alice', 'zoë'] }), 'out-of-range', 'call.participants[1] must be 1 to 64 printable ASCII characters'],
  ['version 0', state({}, { version: 0 }), 'out-of-range', 'register.version must be an integer >= 1'],
  ['version 1.5', state({}, { version: 1.5 }), 'out-of-range', 'register.version must be an integer >= 1'],
  ['version 2^53', state({}, { version: 2 ** 53 }), 'out-of-range', 'register.version must be an integer >= 1'],
  ['version 1e400', frame(JSON.stringify(stateMessage(CALL, 'joined', 1)).replace('"version":1}', '"version":1e400}')), 'out-of-range', 'register.version must be an integer >= 1'],
  ['ack version 0', json({ type: 'ack', callId: CALL.id, version: 0 }), 'out-of-range', 'version must be an integer >= 1'],
  ['status invited', state({}, { status: 'invited' }), 'out-of-range', 'register.status "invited" is not joined, left or rejected'],
  ['status busy', state({}, { status: 'busy' }), 'out-of-range', 'register.status "busy" is not joined, left or rejected'],
];

test('codec: each typed refusal comes from a minimal frame, with a message naming the field', () => {
  for (const [title, bytes, code, message] of REFUSALS) assert.equal(refusal(bytes), { code, message }, title);
  assert.equal(new Set(REFUSALS.map(([, , code]) => code)), new Set(CODES.filter((c) => c !== 'oversize' && c !== 'malformed')));
});

test('codec: malformed = a valid CRC over bytes that are not UTF-8 JSON', () => {
  const payloads: Uint8Array[] = [
    utf8.encode('{"type":"ack"'),
    utf8.encode(' '),
    utf8.encode('{"a":1}{"b":2}'),
    utf8.encode("{'type':'ack'}"),
    Uint8Array.of(0xff),
    Uint8Array.of(0x22, 0xc3, 0x22), // a truncated two-byte sequence inside a JSON string
    Uint8Array.of(0x22, 0xed, 0xa0, 0x80, 0x22), // an encoded UTF-16 surrogate
  ];
  for (const payload of payloads) {
    const error = refusal(frame(payload));
    assert.is(error.code, 'malformed', String(payload));
    assert.match(error.message, /^payload is not UTF-8 JSON: /);
  }
});

test('codec: oversize respects maxMessageBytes exactly and is checked before anything else', () => {
  const bytes = encodeMessage(MESSAGES[0]![0]);
  const n = bytes.length;
  assert.ok(decodeMessage(bytes, { ...LIMITS, maxMessageBytes: n }).ok);
  assert.equal(refusal(bytes, { ...LIMITS, maxMessageBytes: n - 1 }), { code: 'oversize', message: `frame of ${n} bytes exceeds ${n - 1}` });
  assert.equal(refusal(new Uint8Array(4097)), { code: 'oversize', message: 'frame of 4097 bytes exceeds 4096' });
  assert.is(refusal(new Uint8Array(4096)).code, 'unknown-version');
});

test('codec: maxParticipants is a limit of the decoder', () => {
  const four = state({ participants: ['alice', 'bob', 'carol', 'dave'] });
  assert.ok(decodeMessage(four, LIMITS).ok);
  assert.ok(decodeMessage(four, { ...LIMITS, maxParticipants: 4 }).ok);
  assert.equal(refusal(four, { ...LIMITS, maxParticipants: 3 }), { code: 'out-of-range', message: 'call.participants has 4 entries (2 to 3)' });
});

// ---- properties (fixed seeds) -------------------------------------------------------------------

const hex16 = fc.stringMatching(/^[0-9a-f]{16}$/);
const peerId = fc.stringMatching(/^[\x21-\x7e]{1,64}$/);
const version = fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER });
const PLAIN = { noNullPrototype: true }; // decoded messages are plain objects
const callInfo = fc
  .uniqueArray(peerId, { minLength: 2, maxLength: LIMITS.maxParticipants })
  .chain((participants) => fc.record({ id: hex16, initiator: fc.constantFrom(...participants), participants: fc.constant(participants) }, PLAIN));
const register = fc.record({ status: fc.constantFrom('joined' as const, 'left' as const, 'rejected' as const), muted: fc.boolean(), deafened: fc.boolean(), version }, PLAIN);
const message: fc.Arbitrary<WireMessage> = fc.oneof(
  fc.record({ type: fc.constant('state' as const), call: callInfo, register }, PLAIN),
  fc.record({ type: fc.constant('ack' as const), callId: hex16, version }, PLAIN),
);

test('codec property: random valid messages round-trip', () => {
  fc.assert(
    fc.property(message, (m) => {
      assert.equal(decodeMessage(encodeMessage(m), LIMITS), { ok: true, message: m });
    }),
    { ...SEED, numRuns: 500 },
  );
});

test('codec property: random bytes are refused with a typed error, never thrown', () => {
  const anyBytes = fc.oneof(fc.uint8Array({ maxLength: 64 }), fc.uint8Array({ maxLength: 300 }).map((b) => Uint8Array.of(WIRE_VERSION, ...b)));
  fc.assert(
    fc.property(anyBytes, (bytes) => {
      const result = decodeMessage(bytes, LIMITS);
      return !result.ok && CODES.includes(result.error.code);
    }),
    { ...SEED, numRuns: 2000 },
  );
});

test('codec property: JSON of any shape with a valid CRC is a valid message or a typed refusal', () => {
  // Structural edits of valid messages reach the field validation that random bytes cannot get past the CRC.
  const PATHS = [[], ['type'], ['call'], ['call', 'id'], ['call', 'initiator'], ['call', 'participants'], ['call', 'participants', '0'], ['register'], ['register', 'status'], ['register', 'muted'], ['register', 'version'], ['callId'], ['version'], ['extra']];
  const edited = fc.tuple(message, fc.constantFrom(...PATHS), fc.option(fc.jsonValue(), { nil: undefined })).map(([m, path, value]) => {
    if (path.length === 0) return value;
    const copy = JSON.parse(JSON.stringify(m)) as Record<string, unknown>;
    let parent: Record<string, unknown> | undefined = copy;
    for (const key of path.slice(0, -1)) parent = parent?.[key] as Record<string, unknown> | undefined;
    if (parent !== undefined) parent[path.at(-1)!] = value; // undefined drops the field
    return copy;
  });
  fc.assert(
    fc.property(edited, (value) => {
      const result = decodeMessage(frame(JSON.stringify(value) ?? 'undefined'), LIMITS);
      if (!result.ok) return CODES.includes(result.error.code);
      assert.equal(decodeMessage(encodeMessage(result.message), LIMITS), result);
      return true;
    }),
    { ...SEED, numRuns: 2000 },
  );
});

test('codec: every truncation of a valid frame is refused (too-short up to the header, then checksum)', () => {
  for (const [m] of MESSAGES) {
    const bytes = encodeMessage(m);
    for (let n = 0; n < bytes.length; n++) assert.is(refusal(bytes.subarray(0, n)).code, n <= 5 ? 'too-short' : 'checksum', `${n} of ${bytes.length} bytes`);
  }
  fc.assert(
    fc.property(message, fc.nat(), (m, cut) => {
      const bytes = encodeMessage(m);
      const n = cut % bytes.length;
      return refusal(bytes.subarray(0, n)).code === (n <= 5 ? 'too-short' : 'checksum');
    }),
    { ...SEED, numRuns: 500 },
  );
});

test('codec: every single-bit flip of a valid frame is refused (CRC-32 catches all 1-bit errors)', () => {
  const frames = [...MESSAGES.map(([m]) => encodeMessage(m)), ...fc.sample(message, { ...SEED, numRuns: 20 }).map(encodeMessage)];
  for (const bytes of frames) {
    for (let bit = 0; bit < bytes.length * 8; bit++) {
      const error = refusal(withBit(bytes, bit));
      assert.is(error.code, bit < 8 ? 'unknown-version' : 'checksum', `bit ${bit}`);
    }
  }
});

test('codec property: random byte replacements and insertions are refused, or are no-ops and decode to the original', () => {
  const edit = fc.record({ insert: fc.boolean(), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) });
  fc.assert(
    fc.property(message, fc.array(edit, { minLength: 1, maxLength: 4 }), (m, edits) => {
      const original = encodeMessage(m);
      let bytes = original;
      for (const { insert, at, byte } of edits) {
        const i = at % (bytes.length + (insert ? 1 : 0));
        bytes = insert ? Uint8Array.of(...bytes.subarray(0, i), byte, ...bytes.subarray(i)) : bytes.map((b, j) => (j === i ? byte : b));
      }
      return refusedOrSame(bytes, original);
    }),
    { ...SEED, numRuns: 1000 },
  );
  // A replacement by the same byte is the one no-op: the original message comes back.
  const original = encodeMessage(MESSAGES[0]![0]);
  assert.ok(refusedOrSame(original.map((b) => b), original));
});

// ---- the media codec against a plain reference -----------------------------------------------------

/** The media codec as first written: big-endian fields through a DataView, `crc32` over bytes 5.. (kind byte, CRC, uint32, float64s). */
const REF_FLOATS = [0, 2, 4, 4, 2];
function refEncode(m: MediaMessage): Uint8Array {
  const [kind, u, floats] =
    m.type === 'sync1' ? [1, m.id, [m.t1, m.half ?? NaN]] : m.type === 'sync2' ? [2, m.id, [m.t1, m.t2, m.t3, m.half ?? NaN]] : m.type === 'sync3' ? [3, m.id, [m.t3, m.t4, m.t5, m.half ?? NaN]] : [4, m.seq, [m.stream, m.mediaMs]];
  const bytes = new Uint8Array(9 + 8 * floats.length);
  const view = new DataView(bytes.buffer);
  bytes[0] = kind;
  view.setUint32(5, u >>> 0);
  floats.forEach((f, i) => view.setFloat64(9 + 8 * i, f));
  view.setUint32(1, crc32(bytes.subarray(5)));
  return bytes;
}
function refDecode(bytes: Uint8Array): unknown {
  const kind = bytes[0]!;
  if (bytes.length < 5) return { code: 'bad-length', message: `${bytes.length} bytes` };
  if (kind < 1 || kind > 4) return { code: 'unknown-kind', message: `kind byte ${kind}` };
  if (bytes.length !== 9 + 8 * REF_FLOATS[kind]!) return { code: 'bad-length', message: `kind ${kind} of ${bytes.length} bytes` };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(1) !== crc32(bytes.subarray(5))) return { code: 'checksum', message: 'payload does not match its CRC-32' };
  const u = view.getUint32(5);
  const [a, b, c, d] = [0, 1, 2, 3].map((i) => (i < REF_FLOATS[kind]! ? view.getFloat64(9 + 8 * i) : 0)) as [number, number, number, number];
  if (kind === 4) {
    if (!Number.isFinite(a) || !Number.isFinite(b)) return { code: 'out-of-range', message: 'an audio frame carries a value that is not finite' };
    return { type: 'audio', seq: u, stream: a, mediaMs: b };
  }
  const half = kind === 1 ? b : d;
  if (!Number.isFinite(a) || (kind !== 1 && (!Number.isFinite(b) || !Number.isFinite(c))) || Math.abs(half) === Infinity) {
    return { code: 'out-of-range', message: `kind ${kind} carries a time that is not finite or a half that is infinite` };
  }
  const halfField = Number.isNaN(half) ? {} : { half };
  if (kind === 1) return { type: 'sync1', id: u, t1: a, ...halfField };
  if (kind === 2) return { type: 'sync2', id: u, t1: a, t2: b, t3: c, ...halfField };
  return { type: 'sync3', id: u, t3: a, t4: b, t5: c, ...halfField };
}

/** Numbers as the codec meets them, and the ones that test its edges: NaN, ±Infinity, −0, beyond uint32, fractions, subnormals. */
const anyNumber = fc.oneof(
  fc.constantFrom(0, -0, 1, -1, NaN, Infinity, -Infinity, 2 ** 31, 2 ** 32 - 1, 2 ** 32, -(2 ** 31), 1.5, 5e-324, Number.MAX_VALUE),
  fc.integer({ min: 0, max: 2 ** 32 - 1 }),
  fc.double(),
);
const mediaMessage: fc.Arbitrary<MediaMessage> = fc.oneof(
  fc.record({ type: fc.constant('audio' as const), seq: anyNumber, stream: anyNumber, mediaMs: anyNumber }),
  fc.record({ type: fc.constant('sync1' as const), id: anyNumber, t1: anyNumber, half: anyNumber }, { requiredKeys: ['type', 'id', 't1'] }),
  fc.record({ type: fc.constant('sync2' as const), id: anyNumber, t1: anyNumber, t2: anyNumber, t3: anyNumber, half: anyNumber }, { requiredKeys: ['type', 'id', 't1', 't2', 't3'] }),
  fc.record({ type: fc.constant('sync3' as const), id: anyNumber, t3: anyNumber, t4: anyNumber, t5: anyNumber, half: anyNumber }, { requiredKeys: ['type', 'id', 't3', 't4', 't5'] }),
);

/** `parseMedia` and `decodeMedia` on `bytes` say what the reference says; a refusal leaves the caller's record untouched. */
function decodesAsReference(bytes: Uint8Array): void {
  const expected = refDecode(bytes);
  const decoded = decodeMedia(bytes);
  assert.equal(decoded.ok ? decoded.message : decoded.error, expected);
  const into: AudioRecord = { type: 'audio', seq: -1, stream: -1, mediaMs: -1 };
  const parsed = parseMedia(bytes, into);
  assert.equal(parsed, expected);
  if (parsed !== into) assert.equal(into, { type: 'audio', seq: -1, stream: -1, mediaMs: -1 });
}

test('media codec: crc32Word over big-endian words is crc32 over their bytes', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { maxLength: 12 }), (words) => {
      const bytes = new Uint8Array(4 * words.length);
      words.forEach((w, i) => new DataView(bytes.buffer).setInt32(4 * i, w));
      const r = words.reduce(crc32Word, CRC32_START);
      assert.is((~r >>> 24) | ((~r >>> 8) & 0xff00) | ((~r & 0xff00) << 8) | (~r << 24), crc32(bytes) | 0);
    }),
    { ...SEED, numRuns: 500 },
  );
});

test('media codec property: every message, the audio path included, encodes and decodes as the reference does', () => {
  fc.assert(
    fc.property(mediaMessage, (m) => {
      const bytes = encodeMedia(m);
      assert.equal(bytes, refEncode(m));
      if (m.type === 'audio') assert.equal(encodeAudio(m.seq, m.stream, m.mediaMs), bytes);
      decodesAsReference(bytes);
    }),
    { ...SEED, numRuns: 3000 },
  );
});

test('media codec property: corrupted, cut, re-kinded and random packets are refused (or accepted) as the reference does', () => {
  const edit = fc.record({ kind: fc.constantFrom('bit', 'byte', 'cut', 'kind'), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) });
  fc.assert(
    fc.property(mediaMessage, fc.array(edit, { minLength: 1, maxLength: 3 }), (m, edits) => {
      let bytes = encodeMedia(m);
      for (const { kind, at, byte } of edits) {
        const i = at % Math.max(1, bytes.length);
        if (kind === 'bit') bytes = withBit(bytes, at % Math.max(1, 8 * bytes.length));
        else if (kind === 'byte') bytes = bytes.map((b, j) => (j === i ? byte : b));
        else if (kind === 'cut') bytes = bytes.slice(0, i);
        else bytes = bytes.map((b, j) => (j === 0 ? byte % 6 : b));
      }
      decodesAsReference(bytes);
    }),
    { ...SEED, numRuns: 3000 },
  );
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 48 }), (bytes) => decodesAsReference(bytes)),
    { ...SEED, numRuns: 1000 },
  );
});

test('media codec: every single-bit flip of an audio frame or a sync packet is refused as before', () => {
  const packets = [
    { type: 'audio', seq: 1, stream: 7, mediaMs: 20 },
    { type: 'audio', seq: 2 ** 32 - 1, stream: 0.1234, mediaMs: -1e9 },
    { type: 'sync1', id: 5, t1: 100 },
    { type: 'sync2', id: 5, t1: 100, t2: 200, t3: 201, half: 3.5 },
    { type: 'sync3', id: 5, t3: 201, t4: 300, t5: 301 },
  ] as const satisfies readonly MediaMessage[];
  for (const m of packets) {
    const bytes = encodeMedia(m);
    for (let bit = 0; bit < bytes.length * 8; bit++) {
      const flipped = withBit(bytes, bit);
      decodesAsReference(flipped);
      if (bit >= 8) assert.is(decodeMedia(flipped).ok ? 'ok' : (decodeMedia(flipped) as { error: { code: string } }).error.code, 'checksum', `${m.type} bit ${bit}`);
    }
  }
});

// ---- the node ------------------------------------------------------------------------------------

test('codec: malformed input leaves the node untouched (no output, same list) and is counted', () => {
  const limits: CodecLimits = { maxMessageBytes: 300, maxParticipants: 4 };
  const d = new NodeDriver('alice', limits);
  const G = d.call('G', { id: 'ca11000000000001', initiator: 'bob', participants: ['bob', 'alice', 'carol'] });
  assert.equal(d.receive(0, 'bob', stateMessage(G, 'joined', 1)).lines, ['send bob ack G v1', 'event incoming G from bob group [bob alice carol]', 'set ring/G @30000', 'persist']);
  const before = d.list();
  assert.equal(before, ['G group by bob self=invited [bob:joined/v1 alice:invited/v0 carol:invited/v0] pending ringing']);

  const left = encodeMessage(stateMessage(G, 'left', 2)); // would change the call, were it intact
  const long = ['bob', 'alice', 'carol', 'd'.repeat(64)].map((p) => p.padEnd(64, '-'));
  const bad: readonly (readonly [CodecErrorCode, Uint8Array])[] = [
    ['too-short', left.subarray(0, 5)],
    ['oversize', encodeMessage(stateMessage({ id: G.id, initiator: long[0]!, participants: long }, 'joined', 1))],
    ['unknown-version', left.map((b, i) => (i === 0 ? 2 : b))],
    ['checksum', withBit(left, 100)],
    ['malformed', frame('{"type":"state"')],
    ['unknown-type', json({ type: 'bye', callId: G.id })],
    ['unknown-field', json({ ...ackMessage(G.id, 1), from: 'carol' })],
    ['missing-field', json({ type: 'ack', callId: G.id })],
    ['wrong-type', json({ ...stateMessage(G, 'left', 2), register: { ...REGISTER, status: 'left', muted: 'no' } })],
    ['out-of-range', encodeMessage(stateMessage({ ...G, participants: ['bob', 'alice', 'carol', 'dave', 'erin'] }, 'left', 2))],
  ];
  assert.equal(bad.map(([code]) => code), CODES);
  for (const [i, [code, bytes]] of bad.entries()) {
    const expected = refusal(bytes, limits);
    const step = d.receive(10 + i, 'bob', bytes);
    assert.equal(step.outcome, { ok: false, error: expected }, code);
    assert.is(expected.code, code);
    assert.equal(step.lines, [], code);
    assert.equal(d.list(), before, code);
  }
  assert.equal(d.stats(), { calls: 1, tombstones: 0, violations: {}, malformed: Object.fromEntries(CODES.map((c) => [c, 1])) });
  // The intact message still does what the corrupted copies did not.
  assert.equal(d.receive(100, 'bob', left).lines, ['send bob ack G v2', 'cancel ring/G', 'event cancelled G', 'event missed G from bob', 'set prune/G @120100', 'persist']);
});

test('media codec: a malformed media packet, or one from a peer without a channel, is refused with its code and changes nothing', () => {
  const d = new NodeDriver('alice', { audio: true });
  const D = d.call('D', { id: 'ca11000000000002', initiator: 'bob', participants: ['bob', 'alice'] });
  for (const step of [d.receive(0, 'bob', stateMessage(D, 'joined', 1)), d.command(10, { type: 'join', callId: D.id })]) assert.ok(step.outcome.ok);
  const media = () => JSON.stringify(d.query({ type: 'media' }));
  const before = media();
  const good = encodeMedia({ type: 'audio', seq: 1, stream: 7, mediaMs: 20 });
  const bad: readonly (readonly [PeerId, string, Uint8Array])[] = [
    ['bob', 'bad-length', good.slice(0, 10)],
    ['bob', 'unknown-kind', Uint8Array.of(9, ...good.slice(1))],
    ['bob', 'checksum', withBit(good, 40)],
    ['bob', 'out-of-range', encodeMedia({ type: 'audio', seq: 1, stream: 7, mediaMs: Infinity })],
    ['carol', 'no-media-channel', good],
  ];
  for (const [from, code, bytes] of bad) {
    const step = d.receive(10, from, bytes, 'media');
    assert.equal(step.outcome, { ok: false, error: { code, message: `media packet from ${from} refused` } }, code);
    assert.equal(step.lines, [], code);
    assert.is(media(), before, code);
  }
  // the intact packet is taken
  assert.equal(d.receive(10, 'bob', good, 'media').outcome, { ok: true });
  assert.is.not(media(), before);
});

test.run();
