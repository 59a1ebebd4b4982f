/**
 * The checks catalog scenarios build their `expect` from. Each check reads the session at the end of
 * the run and returns readable failure sentences (none when fine); `all` joins them. Calls are named by
 * session label (`c1`), nodes by peer name. A node that does not know a call is a failure, not a throw.
 */
import type { PeerId } from '../../protocol/contract.ts';
import { meanPlayoutDelay } from '../invariants.ts';
import type { Session } from '../session.ts';

/** A check of a finished session: failure sentences, empty when fine. */
export type Check = (s: Session) => readonly string[];

/** Every check, in order. */
export const all =
  (...checks: readonly Check[]): Check =>
  (s) =>
    checks.flatMap((check) => check(s));

const list = (xs: readonly string[]) => `[${xs.join(', ')}]`;

/** Each listed node emitted exactly this sequence of compact events. */
export const events =
  (expected: Readonly<Record<PeerId, readonly string[]>>): Check =>
  (s) =>
    Object.entries(expected).flatMap(([node, want]) => {
      const got = s.events(node);
      return list(got) === list(want) ? [] : [`${node} should have seen ${list(want)} but saw ${list(got)}`];
    });

/** Each listed node emitted exactly these events, in any order (for nodes that see a genuine race). */
export const eventsInAnyOrder =
  (expected: Readonly<Record<PeerId, readonly string[]>>): Check =>
  (s) =>
    Object.entries(expected).flatMap(([node, want]) => {
      const got = s.events(node);
      return list([...got].sort()) === list([...want].sort()) ? [] : [`${node} should have seen ${list(want)} in any order but saw ${list(got)}`];
    });

/** Every listed node (default: every peer) sees call `label` with this membership (`alice:joined bob:left+m …`). */
export const membership =
  (label: string, expected: string, nodes?: readonly PeerId[]): Check =>
  (s) =>
    (nodes ?? s.peers).flatMap((node) => {
      const known = s.views(node).some((v) => v.callId === s.id(label));
      const got = known ? `"${s.membership(node, label)}"` : 'no such call';
      return got === `"${expected}"` ? [] : [`${node} should see ${label} as "${expected}" but sees ${got}`];
    });

/** Each listed node shows exactly these calls as pending. */
export const pending =
  (expected: Readonly<Record<PeerId, readonly string[]>>): Check =>
  (s) =>
    Object.entries(expected).flatMap(([node, want]) => {
      const got = s.views(node).filter((v) => v.pending).map((v) => s.label(v.callId));
      return list(got) === list(want) ? [] : [`${node} should show ${list(want)} as pending but shows ${list(got)}`];
    });

/** The listed nodes are in call `label` (their active call), and in no other. */
export const activeIn =
  (label: string, nodes: readonly PeerId[]): Check =>
  (s) =>
    nodes.flatMap((node) => {
      const active = s.views(node).filter((v) => v.active).map((v) => s.label(v.callId));
      return list(active) === list([label]) ? [] : [`${node} should be in ${label} only but is in ${list(active)}`];
    });

/** The action `node` took at `at` ms was refused with error `code`. */
export const refused =
  (at: number, node: PeerId, code: string): Check =>
  (s) => {
    const step = s.outcomes.find((o) => o.at === at && o.node === node);
    const got = step === undefined ? 'no such step' : step.outcome.ok ? 'accepted' : step.outcome.error.code;
    return got === code ? [] : [`${node}'s ${step?.action ?? 'action'} at ${at} ms should be refused with ${code} but was ${got}`];
  };

/** `node` raised a degradation warning about `peer`'s audio with this cause, after `afterMs` and before `beforeMs`. */
export const warned =
  (node: PeerId, peer: PeerId, cause: 'stall' | 'delay-rising', afterMs: number, beforeMs: number): Check =>
  (s) => {
    const times = s.mediaEventTimes(node, `degradation-likely c1 ${peer} (${cause})`);
    return times.some((t) => t >= afterMs && t <= beforeMs)
      ? []
      : [`${node} should have warned of ${cause} on ${peer}'s audio between ${afterMs} and ${beforeMs} ms, warned at [${times.join(', ')}]`];
  };

/**
 * Every stream's mean playout delay, as its listener reports it (capture on the speaker's clock to
 * playout on its own, put on one clock by the time sync), lies between the smallest one-way delay its
 * path carried less `slackMs` (the time sync's offset error) and the largest plus `bufferMs`: no frame
 * plays before it arrived, and clocks hours apart leave no trace. Streams without the figure are skipped.
 */
export const playoutDelayTrue =
  (slackMs: number, bufferMs: number): Check =>
  (s) =>
    s.peers.flatMap((listener) =>
      s.media(listener).flatMap((view) => {
        const delay = meanPlayoutDelay(view);
        const path = s.world.trueOneWayRangeMs(view.peer, listener);
        if (delay === undefined || path === undefined) return [];
        return delay >= path.lo - slackMs && delay <= path.hi + bufferMs
          ? []
          : [`${listener} plays ${view.peer}'s audio ${delay.toFixed(1)} ms after capture on average, but the path carried it in ${path.lo.toFixed(1)}–${path.hi.toFixed(1)} ms (${slackMs} ms below, ${bufferMs} ms above allowed)`];
      }),
    );
