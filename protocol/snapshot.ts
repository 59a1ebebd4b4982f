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

/** A forgotten call: enough to answer late messages without resurrecting it. */
export interface Tombstone {
  /** The call's description. */
  readonly info: CallInfo;
  /** This node's final register in it. */
  readonly register: Register;
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
  calls: {
    info: CallInfo;
    registers: [PeerId, Register][];
    everJoined: boolean;
    announced: boolean;
    pendingShown: boolean;
    missedEmitted: boolean;
    mergedInto: CallId | null;
  }[];
  tombstones: Tombstone[];
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** Encode the durable state. */
export function encodeSnapshot(state: DurableState): Uint8Array {
  const json: SnapshotJson = {
    v: 1,
    muted: state.muted,
    deafened: state.deafened,
    calls: [...state.calls.values()].map((c) => ({
      info: c.info,
      registers: [...c.registers],
      everJoined: c.everJoined,
      announced: c.announced,
      pendingShown: c.pendingShown,
      missedEmitted: c.missedEmitted,
      mergedInto: c.mergedInto,
    })),
    tombstones: [...state.tombstones.values()],
  };
  return encoder.encode(JSON.stringify(json));
}

/** Decode a snapshot written by `encodeSnapshot`; undefined when it cannot be read (every field is checked). */
export function decodeSnapshot(bytes: Uint8Array): DurableState | undefined {
  try {
    const json = JSON.parse(decoder.decode(bytes)) as SnapshotJson;
    if (json.v !== 1 || !Array.isArray(json.calls) || !Array.isArray(json.tombstones)) return undefined;
    const calls = new Map<CallId, CallRecord>();
    for (const c of json.calls) {
      const record = newCallRecord(readCallInfo(c.info, LIMITS));
      if (!Array.isArray(c.registers)) return undefined;
      for (const entry of c.registers) {
        if (!Array.isArray(entry) || !record.info.participants.includes(entry[0])) return undefined;
        record.registers.set(entry[0], readRegister(entry[1], false));
      }
      for (const flag of ['everJoined', 'announced', 'pendingShown', 'missedEmitted'] as const) {
        if (typeof c[flag] !== 'boolean') return undefined;
        record[flag] = c[flag];
      }
      if (c.mergedInto !== null && typeof c.mergedInto !== 'string') return undefined;
      record.mergedInto = c.mergedInto;
      calls.set(record.info.id, record);
    }
    const tombstones = new Map<CallId, Tombstone>();
    for (const t of json.tombstones) {
      if (typeof t.until !== 'number') return undefined;
      const info = readCallInfo(t.info, LIMITS);
      tombstones.set(info.id, { info, register: readRegister(t.register, true), until: t.until });
    }
    if (typeof json.muted !== 'boolean' || typeof json.deafened !== 'boolean') return undefined;
    return { muted: json.muted, deafened: json.deafened, calls, tombstones };
  } catch {
    return undefined;
  }
}
