/**
 * What a node persists so it survives being turned off: its mute/deafen preference, every call it knows
 * (description, registers, what it already told the application) and the tombstones of forgotten calls.
 * Retransmission schedules, acknowledgements and ringing are volatile: after a restart the node resends
 * its registers and no longer rings. Encoded as UTF-8 JSON; decoding is defensive (a snapshot the node
 * cannot read is reported, not thrown).
 */
import type { Millis, PeerId } from './contract.ts';
import { newCallRecord, type CallRecord } from './call-record.ts';
import type { CallId, CallInfo, Register } from './wire.ts';

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

/** Decode a snapshot written by `encodeSnapshot`; undefined when it cannot be read. */
export function decodeSnapshot(bytes: Uint8Array): DurableState | undefined {
  try {
    const json = JSON.parse(decoder.decode(bytes)) as SnapshotJson;
    if (json.v !== 1 || !Array.isArray(json.calls) || !Array.isArray(json.tombstones)) return undefined;
    const calls = new Map<CallId, CallRecord>();
    for (const c of json.calls) {
      const record = newCallRecord(c.info);
      for (const [peer, register] of c.registers) record.registers.set(peer, register);
      record.everJoined = c.everJoined;
      record.announced = c.announced;
      record.pendingShown = c.pendingShown;
      record.missedEmitted = c.missedEmitted;
      record.mergedInto = typeof c.mergedInto === 'string' ? c.mergedInto : null;
      calls.set(c.info.id, record);
    }
    const tombstones = new Map(json.tombstones.map((t) => [t.info.id, t] as const));
    return { muted: json.muted === true, deafened: json.deafened === true, calls, tombstones };
  } catch {
    return undefined;
  }
}
