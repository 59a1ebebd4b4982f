/**
 * The reference protocol's timers: a closed set of names, one deadline each (after quinn-proto's
 * TimerTable). Per-call timers carry the call id in their name so the driver can treat every name as an
 * opaque key.
 */
import type { CallId } from './wire.ts';

/** Every timer name the reference protocol arms. */
export type TimerName =
  /** Resend this node's register to peers that have not acknowledged it. */
  | `retransmit/${CallId}`
  /** An incoming call stops ringing. */
  | `ring/${CallId}`
  /** Forget a call nobody is in (or that this node rejected). */
  | `prune/${CallId}`
  /** Push this node's register to the others in the active call. */
  | 'antiEntropy'
  /** The media plane's frame clock: send and play one 20 ms frame per peer. */
  | 'mediaTick'
  /** The media plane's next time-sync exchange or retry. */
  | 'timeSync';

/** The parsed form of a timer name. */
export type Timer =
  | { readonly kind: 'retransmit' | 'ring' | 'prune'; readonly callId: CallId }
  | { readonly kind: 'antiEntropy' | 'mediaTick' | 'timeSync' };

/** The name of a per-call timer. */
export function callTimer(kind: 'retransmit' | 'ring' | 'prune', callId: CallId): TimerName {
  return `${kind}/${callId}`;
}

/** The parsed node-wide timers, shared (a timer fires every frame: no object per firing). */
const NODE_TIMERS: { readonly [K in 'antiEntropy' | 'mediaTick' | 'timeSync']: Timer } = {
  antiEntropy: Object.freeze({ kind: 'antiEntropy' }),
  mediaTick: Object.freeze({ kind: 'mediaTick' }),
  timeSync: Object.freeze({ kind: 'timeSync' }),
};

/** Parse a timer name; undefined for a name this protocol never arms. */
export function parseTimer(name: string): Timer | undefined {
  // one named load per name, not `NODE_TIMERS[name]` (a load keyed by a varying name: megamorphic in V8)
  if (name === 'mediaTick') return NODE_TIMERS.mediaTick;
  if (name === 'timeSync') return NODE_TIMERS.timeSync;
  if (name === 'antiEntropy') return NODE_TIMERS.antiEntropy;
  const slash = name.indexOf('/');
  const kind = name.slice(0, slash);
  if (slash < 0 || (kind !== 'retransmit' && kind !== 'ring' && kind !== 'prune')) return undefined;
  return { kind, callId: name.slice(slash + 1) };
}
