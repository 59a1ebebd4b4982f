/**
 * What a node persists so it survives being turned off: its mute/deafen preference, every call it knows
 * (description, registers, what it already told the application) and the tombstones of forgotten calls.
 * Retransmission schedules, acknowledgements and ringing are volatile: after a restart the node resends
 * its registers and no longer rings. Encoded as UTF-8 JSON; decoding is defensive (a snapshot the node
 * cannot read is reported, not thrown).
 */
import type { Millis, PeerId } from './contract.ts';
import { newCallRecord, type CallRecord } from './call-record.ts';
import { readCallInfo, readRegister, type CallId, type CallInfo, type Register } from './wire.ts';

/** A snapshot is our own, so it is held to the codec's rules but not to a deployment's size limits. */
const LIMITS = { maxMessageBytes: Infinity, maxParticipants: Infinity };

/** A call as stored: its description, registers and what the application was told. */
export interface StoredCall {
  readonly info: CallInfo;
  readonly registers: readonly (readonly [PeerId, Register])[];
  readonly everJoined: boolean;
  readonly announced: boolean;
  readonly pendingShown: boolean;
  readonly missedEmitted: boolean;
  readonly mergedInto: CallId | null;
}

/** A forgotten call: kept whole until `until`, to answer late messages and to come back if it is live. */
export interface Tombstone {
  /** The call as it was when forgotten. */
  readonly call: StoredCall;
  /** Local time after which the tombstone itself is forgotten. */
  readonly until: Millis;
}

/** Everything durable about a node. */
export interface DurableState {
  /** Mute preference. */
  muted: boolean;
  /** Deafen preference. */
  deafened: boolean;
  /** Known calls, in the order learned. */
  readonly calls: Map<CallId, CallRecord>;
  /** Forgotten calls. */
  readonly tombstones: Map<CallId, Tombstone>;
}

interface SnapshotJson {
  v: 1;
  muted: boolean;
  deafened: boolean;
  calls: StoredCall[];
  tombstones: Tombstone[];
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** The durable part of a call record. */
export function storeCall(c: CallRecord): StoredCall {
  return {
    info: c.info,
    registers: [...c.registers],
    everJoined: c.everJoined,
    announced: c.announced,
    pendingShown: c.pendingShown,
    missedEmitted: c.missedEmitted,
    mergedInto: c.mergedInto,
  };
}

/** A call record from its stored form, every field checked; throws on anything invalid. */
export function restoreCall(c: StoredCall): CallRecord {
  const record = newCallRecord(readCallInfo(c.info, LIMITS));
  if (!Array.isArray(c.registers)) throw new TypeError('registers');
  for (const entry of c.registers) {
    if (!Array.isArray(entry) || !record.info.participants.includes(entry[0])) throw new TypeError('register owner');
    record.registers.set(entry[0], readRegister(entry[1], false));
  }
  for (const flag of ['everJoined', 'announced', 'pendingShown', 'missedEmitted'] as const) {
    if (typeof c[flag] !== 'boolean') throw new TypeError(flag);
    record[flag] = c[flag];
  }
  if (c.mergedInto !== null && typeof c.mergedInto !== 'string') throw new TypeError('mergedInto');
  record.mergedInto = c.mergedInto;
  return record;
}

/** Encode the durable state. */
export function encodeSnapshot(state: DurableState): Uint8Array {
  const json: SnapshotJson = {
    v: 1,
    muted: state.muted,
    deafened: state.deafened,
    calls: [...state.calls.values()].map(storeCall),
    tombstones: [...state.tombstones.values()],
  };
  return encoder.encode(JSON.stringify(json));
}

/** Decode a snapshot written by `encodeSnapshot`; undefined when it cannot be read (every field is checked). */
export function decodeSnapshot(bytes: Uint8Array): DurableState | undefined {
  try {
    const json = JSON.parse(decoder.decode(bytes)) as SnapshotJson;
    if (json.v !== 1 || !Array.isArray(json.calls) || !Array.isArray(json.tombstones)) return undefined;
    if (typeof json.muted !== 'boolean' || typeof json.deafened !== 'boolean') return undefined;
    const calls = new Map<CallId, CallRecord>();
    for (const c of json.calls) {
      const record = restoreCall(c);
      calls.set(record.info.id, record);
    }
    const tombstones = new Map<CallId, Tombstone>();
    for (const t of json.tombstones) {
      if (typeof t.until !== 'number') return undefined;
      const call = storeCall(restoreCall(t.call));
      tombstones.set(call.info.id, { call, until: t.until });
    }
    return { muted: json.muted, deafened: json.deafened, calls, tombstones };
  } catch {
    return undefined;
  }
}
