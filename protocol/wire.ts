/**
 * The reference protocol's wire messages and their versioned codec.
 *
 * Theory of operation: two messages carry everything. `state` is a participant's own membership
 * register for one call (status, mute, deafen and a version the owner bumps on every change) together
 * with the call's immutable description, so any state message doubles as an offer. `ack` tells the
 * owner which version of its register arrived, which stops its retransmissions. The sender is never a
 * field: the owner of a register is the authenticated sender.
 *
 * Frame: byte 0 = wire version (1), bytes 1–4 = CRC-32 of the payload (big-endian), then the payload
 * as UTF-8 JSON. `decodeMessage` validates the frame, the checksum (the simulator flips bits, as real
 * links do), the JSON, and then every field, its type and its size, and refuses anything else,
 * unknown fields included, with a typed `CodecError`. The core only ever sees valid messages.
 */
import type { PeerId } from './contract.ts';
import { crc32 } from './crc32.ts';
import { decodeMedia } from './media-wire.ts';

/** The version byte this codec writes and reads. */
export const WIRE_VERSION = 1;

/** A call's id: 16 lowercase hex digits drawn from the caller's random source. */
export type CallId = string;

/** A participant's membership, as written by that participant only. */
export type MemberStatus = 'invited' | 'joined' | 'left' | 'rejected';

/** One participant's register in one call: written only by its owner, ordered by `version`. */
export interface Register {
  /** Membership. `invited` is the implicit version-0 state, never sent. */
  readonly status: MemberStatus;
  /** Microphone muted. */
  readonly muted: boolean;
  /** Speaker off: hears nothing. */
  readonly deafened: boolean;
  /** Bumped by the owner on every change; the higher version wins everywhere. */
  readonly version: number;
}

/** A call's immutable description. */
export interface CallInfo {
  /** The call's id. */
  readonly id: CallId;
  /** Who dialed. */
  readonly initiator: PeerId;
  /** Everyone invited, the initiator included (2 = direct call, 3 or more = group call). */
  readonly participants: readonly PeerId[];
}

/** Every message on the signaling channel. */
export type WireMessage =
  | { readonly type: 'state'; readonly call: CallInfo; readonly register: Register }
  | { readonly type: 'ack'; readonly callId: CallId; readonly version: number };

/** Why a message was refused. */
export type CodecErrorCode =
  | 'too-short'
  | 'oversize'
  | 'unknown-version'
  | 'checksum'
  | 'malformed'
  | 'unknown-type'
  | 'unknown-field'
  | 'missing-field'
  | 'wrong-type'
  | 'out-of-range';

/** A typed refusal from the codec. */
export interface CodecError {
  /** What kind of problem. */
  readonly code: CodecErrorCode;
  /** A human-readable explanation naming the field. */
  readonly message: string;
}

/** Limits the decoder enforces. */
export interface CodecLimits {
  /** Largest frame in bytes. */
  readonly maxMessageBytes: number;
  /** Most participants in a call. */
  readonly maxParticipants: number;
}

const HEADER = 5;
const CALL_ID = /^[0-9a-f]{16}$/;
const PEER_ID = /^[\x21-\x7e]{1,64}$/;
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** Encode a message into a frame. */
export function encodeMessage(message: WireMessage): Uint8Array {
  const payload = encoder.encode(JSON.stringify(message));
  const frame = new Uint8Array(HEADER + payload.length);
  frame[0] = WIRE_VERSION;
  new DataView(frame.buffer).setUint32(1, crc32(payload));
  frame.set(payload, HEADER);
  return frame;
}

/** Decode and validate a frame; never throws. */
export function decodeMessage(bytes: Uint8Array, limits: CodecLimits): { ok: true; message: WireMessage } | { ok: false; error: CodecError } {
  try {
    return { ok: true, message: parse(bytes, limits) };
  } catch (error) {
    if (error instanceof Refusal) return { ok: false, error: { code: error.code, message: error.message } };
    return { ok: false, error: { code: 'malformed', message: String(error) } };
  }
}

/**
 * A short label of a frame for traces: `state joined v2 3f9c`, `ack v2 3f9c`, or `?checksum`; on the
 * media channel `audio #12`, `sync1 #3`, or `?checksum`.
 */
export function describeMessage(bytes: Uint8Array, channel: 'signaling' | 'media' = 'signaling'): string {
  if (channel === 'media') {
    const media = decodeMedia(bytes);
    if (!media.ok) return `?${media.error.code}`;
    const m = media.message;
    return m.type === 'audio' ? `audio #${m.seq}` : `${m.type} #${m.id}`;
  }
  const decoded = decodeMessage(bytes, { maxMessageBytes: Infinity, maxParticipants: Infinity });
  if (!decoded.ok) return `?${decoded.error.code}`;
  const m = decoded.message;
  return m.type === 'state'
    ? `state ${m.register.status}${m.register.muted ? ' muted' : ''}${m.register.deafened ? ' deaf' : ''} v${m.register.version} ${m.call.id.slice(0, 4)}`
    : `ack v${m.version} ${m.callId.slice(0, 4)}`;
}

/** Thrown inside the decoder only (not an Error: no stack to capture on a hot path), caught by `decodeMessage`. */
class Refusal {
  constructor(
    readonly code: CodecErrorCode,
    readonly message: string,
  ) {}
}

function parse(bytes: Uint8Array, limits: CodecLimits): WireMessage {
  if (bytes.length > limits.maxMessageBytes) throw new Refusal('oversize', `frame of ${bytes.length} bytes exceeds ${limits.maxMessageBytes}`);
  if (bytes.length <= HEADER) throw new Refusal('too-short', `frame of ${bytes.length} bytes has no payload`);
  if (bytes[0] !== WIRE_VERSION) throw new Refusal('unknown-version', `wire version ${bytes[0]} (this codec speaks ${WIRE_VERSION})`);
  const payload = bytes.subarray(HEADER);
  if (new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(1) !== crc32(payload)) {
    throw new Refusal('checksum', 'payload does not match its CRC-32');
  }
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(payload));
  } catch (error) {
    throw new Refusal('malformed', `payload is not UTF-8 JSON: ${(error as Error).message}`);
  }
  const msg = record(value, 'message');
  const type = msg['type'];
  if (type === 'state') {
    fields(msg, 'message', ['type', 'call', 'register']);
    return { type, call: readCallInfo(msg['call'], limits), register: readRegister(msg['register'], false) };
  }
  if (type === 'ack') {
    fields(msg, 'message', ['type', 'callId', 'version']);
    return { type, callId: callId(msg['callId'], 'callId'), version: version(msg['version'], 'version', 1) };
  }
  if (type === undefined) throw new Refusal('missing-field', 'message.type is missing');
  throw new Refusal('unknown-type', `message.type ${JSON.stringify(type)} is not state or ack`);
}

/** Validate a call description (also used for persisted snapshots); throws on anything invalid. */
export function readCallInfo(value: unknown, limits: CodecLimits): CallInfo {
  const call = record(value, 'call');
  fields(call, 'call', ['id', 'initiator', 'participants']);
  const initiator = peer(call['initiator'], 'call.initiator');
  const list = call['participants'];
  if (!Array.isArray(list)) throw new Refusal('wrong-type', 'call.participants must be an array');
  if (list.length < 2 || list.length > limits.maxParticipants) {
    throw new Refusal('out-of-range', `call.participants has ${list.length} entries (2 to ${limits.maxParticipants})`);
  }
  const participants = list.map((p, i) => peer(p, `call.participants[${i}]`));
  if (new Set(participants).size !== participants.length) throw new Refusal('out-of-range', 'call.participants has duplicates');
  if (!participants.includes(initiator)) throw new Refusal('out-of-range', 'call.initiator is not a participant');
  return { id: callId(call['id'], 'call.id'), initiator, participants };
}

/** Validate a register (`invited` only where allowed: never on the wire); throws on anything invalid. */
export function readRegister(value: unknown, allowInvited: boolean): Register {
  const reg = record(value, 'register');
  fields(reg, 'register', ['status', 'muted', 'deafened', 'version']);
  const status = reg['status'];
  if (typeof status !== 'string') throw new Refusal('wrong-type', 'register.status must be a string');
  if (status !== 'joined' && status !== 'left' && status !== 'rejected' && !(allowInvited && status === 'invited')) {
    throw new Refusal('out-of-range', `register.status ${JSON.stringify(status)} is not joined, left or rejected`);
  }
  const v = version(reg['version'], 'register.version', status === 'invited' ? 0 : 1);
  return { status, muted: bool(reg['muted'], 'register.muted'), deafened: bool(reg['deafened'], 'register.deafened'), version: v };
}

function record(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Refusal('wrong-type', `${field} must be an object`);
  return value as Record<string, unknown>;
}

function fields(obj: Record<string, unknown>, field: string, expected: readonly string[]): void {
  for (const key of Object.keys(obj)) if (!expected.includes(key)) throw new Refusal('unknown-field', `${field}.${key} is not a known field`);
  for (const key of expected) if (!(key in obj)) throw new Refusal('missing-field', `${field}.${key} is missing`);
}

function callId(value: unknown, field: string): CallId {
  if (typeof value !== 'string') throw new Refusal('wrong-type', `${field} must be a string`);
  if (!CALL_ID.test(value)) throw new Refusal('out-of-range', `${field} must be 16 lowercase hex digits`);
  return value;
}

function peer(value: unknown, field: string): PeerId {
  if (typeof value !== 'string') throw new Refusal('wrong-type', `${field} must be a string`);
  if (!PEER_ID.test(value)) throw new Refusal('out-of-range', `${field} must be 1 to 64 printable ASCII characters`);
  return value;
}

function bool(value: unknown, field: string): boolean {
  if (typeof value !== 'boolean') throw new Refusal('wrong-type', `${field} must be a boolean`);
  return value;
}

function version(value: unknown, field: string, min: number): number {
  if (typeof value !== 'number') throw new Refusal('wrong-type', `${field} must be a number`);
  if (!Number.isSafeInteger(value) || value < min) throw new Refusal('out-of-range', `${field} must be an integer >= ${min}`);
  return value;
}
