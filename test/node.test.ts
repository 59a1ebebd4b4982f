/**
 * The reference protocol's core (protocol/node.ts) driven directly, without the simulator: local misuse
 * is refused with its typed error and changes nothing; late and replayed messages never undo a leave
 * (R4); only a call's participants may speak about it (R13); timers are a closed set; every state
 * change is persisted, and a restored node shows the same calls, out of the one it was in (R7); bad
 * settings are refused by name. Node under test: `alice`; calls G (a group from carol) and D (a direct
 * call from bob) are learned from the wire.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { CallCommand, CallView, MisuseCode } from '../protocol/api.ts';
import { ConfigSettingError, DEFAULT_PROTOCOL_CONFIG, resolveConfig, type ProtocolConfig } from '../protocol/config.ts';
import type { Channel } from '../protocol/contract.ts';
import { CallNode } from '../protocol/node.ts';
import { parseTimer } from '../protocol/timers.ts';
import type { CallInfo, WireMessage } from '../protocol/wire.ts';
import { ackMessage, NodeDriver, stateMessage, type Rendered } from './support/node-driver.ts';

const test = suite('node: the core driven directly');

const G: CallInfo = { id: 'ca11000000000001', initiator: 'carol', participants: ['carol', 'alice', 'bob'] };
const D: CallInfo = { id: 'ca11000000000002', initiator: 'bob', participants: ['bob', 'alice'] };
const E: CallInfo = { id: 'ca11000000000003', initiator: 'erin', participants: ['erin', 'alice'] };
const R: CallInfo = { id: 'ca11000000000004', initiator: 'dave', participants: ['dave', 'alice', 'carol'] };
const UNKNOWN = 'ffffffffffffffff';

/** A fresh `alice` that knows G and D by name. */
function alice(): NodeDriver {
  const d = new NodeDriver('alice');
  d.call('G', G);
  d.call('D', D);
  return d;
}

/** Fails unless every step was accepted. */
function accepted(...steps: Rendered[]): void {
  for (const step of steps) assert.ok(step.outcome.ok, JSON.stringify(step.outcome));
}

/** The snapshot a step ends with; fails unless its last output is a persist. */
function snapshotOf(step: Rendered): Uint8Array {
  const last = step.outputs.at(-1);
  if (last?.type !== 'persist') throw new Error(`no persist at the end of: ${step.lines.join('; ')}`);
  return last.snapshot;
}

// ---- local misuse -------------------------------------------------------------------------------

/**
 * `alice` with a call of every kind and in no call: G and D pending, E (erin's direct call) ended
 * before she answered, R (dave's group) rejected.
 */
function misuseFixture(): NodeDriver {
  const d = alice();
  d.call('E', E);
  d.call('R', R);
  accepted(
    d.receive(0, 'carol', stateMessage(G, 'joined', 1)),
    d.receive(0, 'bob', stateMessage(D, 'joined', 1)),
    d.receive(0, 'erin', stateMessage(E, 'joined', 1)),
    d.receive(0, 'erin', stateMessage(E, 'left', 2)),
    d.receive(0, 'dave', stateMessage(R, 'joined', 1)),
    d.command(0, { type: 'reject', callId: R.id }),
  );
  return d;
}

/** `command` is refused with exactly `code` and `message`, with no output and no change at all. */
function refuses(d: NodeDriver, command: unknown, code: MisuseCode, message: string): void {
  const [list, stats] = [d.list(), d.stats()];
  const step = d.command(100, command as CallCommand);
  assert.equal(step.outcome, { ok: false, error: { code, message } }, JSON.stringify(command));
  assert.equal(step.lines, [], JSON.stringify(command));
  assert.equal([d.list(), d.stats()], [list, stats], JSON.stringify(command));
}

/** Misuse any node may commit, whatever its calls. */
function refusesEverywhere(d: NodeDriver): void {
  for (const type of ['join', 'reject', 'get'] as const) refuses(d, { type, callId: UNKNOWN }, 'call-not-found', `no call ${UNKNOWN}`);
  refuses(d, { type: 'leave', callId: UNKNOWN }, 'call-not-found', `no call ${UNKNOWN}`);
  refuses(d, { type: 'join', callId: 42 }, 'bad-command', 'callId must be a string');
  refuses(d, { type: 'dial', peers: [] }, 'no-peers', 'dial needs at least one peer');
  refuses(d, { type: 'dial', peers: ['bob', 'alice'] }, 'self-dial', 'a node cannot dial itself');
  refuses(d, { type: 'dial', peers: ['bob', 'carol', 'bob'] }, 'duplicate-peer', 'a peer is listed twice');
  const sixteen = Array.from({ length: 16 }, (_, i) => `p${i}`);
  refuses(d, { type: 'dial', peers: sixteen }, 'too-many-peers', 'at most 15 peers');
  for (const peers of ['bob', [7], ['bob', null], ['has space'], [''], ['x'.repeat(65)], undefined]) {
    refuses(d, { type: 'dial', peers }, 'bad-command', 'dial needs a list of peer ids (1 to 64 printable characters)');
  }
  refuses(d, { type: 'hangup' }, 'bad-command', 'unknown command "hangup"');
  refuses(d, {}, 'bad-command', 'unknown command undefined');
  refuses(d, null, 'bad-command', 'a command must be an object with a type');
  refuses(d, { type: 'mute', muted: 'yes' }, 'bad-command', 'mute needs a boolean muted');
  refuses(d, { type: 'mute' }, 'bad-command', 'mute needs a boolean muted');
  refuses(d, { type: 'deafen', deafened: 1 }, 'bad-command', 'deafen needs a boolean deafened');
}

test('misuse: with no active call, every misuse is refused with its code and changes nothing', () => {
  const d = misuseFixture();
  assert.equal(d.list(), [
    'G group by carol self=invited [carol:joined/v1 alice:invited/v0 bob:invited/v0] pending ringing',
    'D direct by bob self=invited [bob:joined/v1 alice:invited/v0] pending ringing',
    'E direct by erin self=invited [erin:left/v2 alice:invited/v0] ended',
    'R group by dave self=rejected [dave:joined/v1 alice:rejected/v1 carol:invited/v0]',
  ]);
  refuses(d, { type: 'leave' }, 'not-in-call', 'not in a call');
  refuses(d, { type: 'leave', callId: D.id }, 'not-in-call', `not in ${D.id}`);
  refuses(d, { type: 'reject', callId: R.id }, 'already-rejected', `${R.id} is already rejected`);
  refuses(d, { type: 'join', callId: R.id }, 'call-rejected', `${R.id} was rejected`);
  refuses(d, { type: 'join', callId: E.id }, 'call-ended', `the direct call ${E.id} has ended`);
  refusesEverywhere(d);
  // Not even randomness was consumed: the next dial gives the same call and outputs as on an untouched node.
  assert.equal(d.command(200, { type: 'dial', peers: ['frank'] }).lines, misuseFixture().command(200, { type: 'dial', peers: ['frank'] }).lines);
});

test('dial: up to maxParticipants in all (the dialer and 15 peers) is a call; one more is refused', () => {
  const fifteen = Array.from({ length: 15 }, (_, i) => `p${i}`);
  const d = alice();
  accepted(d.command(0, { type: 'dial', peers: fifteen }));
  assert.is(d.views()[0]?.participants.length, DEFAULT_PROTOCOL_CONFIG.maxParticipants);
  refuses(alice(), { type: 'dial', peers: [...fifteen, 'p15'] }, 'too-many-peers', 'at most 15 peers');
});

test('misuse: in a call, joining or rejecting it again is refused and changes nothing', () => {
  const d = misuseFixture();
  accepted(d.command(10, { type: 'join', callId: G.id }));
  refuses(d, { type: 'join', callId: G.id }, 'already-joined', `already in ${G.id}`);
  refuses(d, { type: 'reject', callId: G.id }, 'in-call', `leave ${G.id} before rejecting it`);
  refuses(d, { type: 'leave', callId: D.id }, 'not-in-call', `not in ${D.id}`);
  refusesEverywhere(d);
  assert.equal(d.command(200, { type: 'leave' }).lines.filter((l) => l.startsWith('event')), ['event left G (user)', 'event pending G']);
});

// ---- R4 -----------------------------------------------------------------------------------------

test('R4: a replayed older join never brings back a participant who left; every message is acked with the highest version held', () => {
  const d = alice();
  assert.equal(d.receive(0, 'carol', stateMessage(G, 'joined', 1)).lines, ['send carol ack G v1', 'event incoming G from carol group [carol alice bob]', 'set ring/G @30000', 'persist']);
  assert.equal(d.command(1000, { type: 'join', callId: G.id }).lines, [
    'send carol state G joined v1',
    'send bob state G joined v1',
    'set retransmit/G @1500',
    'cancel ring/G',
    'event joined G group by carol self=joined [carol:joined/v1 alice:joined/v1 bob:invited/v0] active',
    'set antiEntropy @6000',
    'persist',
  ]);
  assert.equal(d.receive(2000, 'bob', stateMessage(G, 'joined', 1)).lines, ['send bob ack G v1', 'event participant-joined G bob', 'persist']);
  assert.equal(d.receive(3000, 'bob', stateMessage(G, 'left', 2)).lines, ['send bob ack G v2', 'event participant-left G bob (left)', 'persist']);
  const after = d.list();
  assert.equal(d.receive(4000, 'bob', stateMessage(G, 'joined', 1)).lines, ['send bob ack G v2'], 'the replayed join');
  assert.equal(d.receive(5000, 'bob', stateMessage(G, 'left', 2)).lines, ['send bob ack G v2'], 'the duplicated leave');
  assert.equal(d.list(), after);
  assert.is(d.get('G'), 'G group by carol self=joined [carol:joined/v1 alice:joined/v1 bob:left/v2] active');
});

test('anti-entropy: while in a call the node re-pushes its register to the joined peers every antiEntropyMs, acked or not; out of it, it stops', () => {
  const d = alice();
  accepted(d.receive(0, 'carol', stateMessage(G, 'joined', 1)), d.command(1000, { type: 'join', callId: G.id }), d.receive(1100, 'carol', ackMessage(G.id, 1)));
  // bob has not joined (invited, no ack): his copy goes by the retransmit timer, not by anti-entropy
  assert.equal(d.timer(6000, 'antiEntropy').lines, ['send carol state G joined v1', 'set antiEntropy @11000']);
  accepted(d.receive(7000, 'bob', stateMessage(G, 'joined', 1)));
  assert.equal(d.timer(11_000, 'antiEntropy').lines, ['send carol state G joined v1', 'send bob state G joined v1', 'set antiEntropy @16000']);
  accepted(d.command(12_000, { type: 'leave' }));
  assert.equal(d.timer(16_000, 'antiEntropy').lines, [], 'no call: nothing sent, not re-armed');
  // a join re-arms it
  assert.ok(d.command(17_000, { type: 'join', callId: G.id }).lines.includes('set antiEntropy @22000'));
});

test('R4: a join that arrives after the leave (reordered) never rings; the caller hung up: missed', () => {
  const d = alice();
  assert.equal(d.receive(0, 'bob', stateMessage(D, 'left', 2)).lines, ['send bob ack D v2', 'event missed D from bob', 'set prune/D @120000', 'persist']);
  assert.equal(d.receive(10, 'bob', stateMessage(D, 'joined', 1)).lines, ['send bob ack D v2']);
  assert.equal(d.list(), ['D direct by bob self=invited [bob:left/v2 alice:invited/v0] ended']);
});

// ---- R13 ----------------------------------------------------------------------------------------

test('R13: only participants speak about a call; a call is never redescribed; media carries no signaling', () => {
  const d = alice();
  accepted(d.receive(0, 'carol', stateMessage(G, 'joined', 1)));
  const before = d.list();
  const refused = (from: string, message: WireMessage, code: string, text: string, channel: Channel = 'signaling') => {
    const step = d.receive(100, from, message, channel);
    assert.equal(step.outcome, { ok: false, error: { code, message: text } }, text);
    assert.equal(step.lines, [], text);
    assert.equal(d.list(), before, text);
  };
  const X: CallInfo = { id: 'ca11000000000009', initiator: 'bob', participants: ['bob', 'alice'] };
  refused('mallory', stateMessage(X, 'joined', 1), 'sender-not-invited', `mallory is not invited to ${X.id}`);
  refused('mallory', stateMessage(G, 'left', 2), 'sender-not-invited', `mallory is not invited to ${G.id}`);
  refused('bob', stateMessage({ ...X, participants: ['bob', 'carol'] }, 'joined', 1), 'not-invited', `alice is not invited to ${X.id}`);
  refused('carol', stateMessage({ ...G, participants: [...G.participants, 'dave'] }, 'left', 2), 'call-mismatch', `carol described ${G.id} differently`);
  refused('bob', stateMessage({ ...G, initiator: 'bob' }, 'joined', 1), 'call-mismatch', `bob described ${G.id} differently`);
  refused('bob', stateMessage({ ...G, participants: ['alice', 'bob', 'carol'] }, 'joined', 1), 'call-mismatch', `bob described ${G.id} differently`);
  refused('mallory', ackMessage(G.id, 1), 'sender-not-invited', `mallory is not invited to ${G.id}`);
  refused('carol', stateMessage(G, 'left', 2), 'wrong-channel', 'message from carol on the media channel', 'media');
  assert.equal(d.stats(), { calls: 1, tombstones: 0, violations: { 'sender-not-invited': 3, 'not-invited': 1, 'call-mismatch': 3, 'wrong-channel': 1 }, malformed: {} });
});

// A redescription of a forgotten call is refused like one of a known call: the sender is checked
// against the description the tombstone keeps, not the one it sent.
test('R13: a forgotten call cannot be redescribed either; nothing about it goes to a stranger', () => {
  const d = alice();
  accepted(d.receive(0, 'bob', stateMessage(D, 'joined', 1)), d.command(10, { type: 'reject', callId: D.id }), d.receive(20, 'bob', ackMessage(D.id, 1)));
  assert.equal(d.advance(200_000).flatMap((s) => s.lines), ['cancel retransmit/D', 'cancel ring/D', 'persist']);
  assert.equal(d.stats(), { calls: 0, tombstones: 1, violations: {}, malformed: {} });
  // A late message of the real call is answered from the tombstone (bob acknowledged the rejection: an ack is all he needs) ...
  assert.equal(d.receive(200_010, 'bob', stateMessage(D, 'joined', 1)).lines, ['send bob ack D v1']);
  // ... but a stranger's version of the call is a violation.
  const step = d.receive(200_020, 'mallory', stateMessage({ ...D, initiator: 'mallory', participants: ['mallory', 'alice'] }, 'joined', 1));
  assert.equal(step.lines, []);
  assert.equal(step.outcome, { ok: false, error: { code: 'call-mismatch', message: `mallory described ${D.id} differently` } });
  // and changes nothing: the call stays forgotten; nor do acks about it from a stranger, or about a call never known
  for (const [from, callId] of [['mallory', D.id], ['bob', UNKNOWN]] as const) {
    assert.equal(d.receive(200_030, from, ackMessage(callId, 5)), { outcome: { ok: true }, outputs: [], lines: [] }, `${from} acks ${callId}`);
  }
  assert.equal(d.list(), []);
  assert.equal(d.stats(), { calls: 0, tombstones: 1, violations: { 'call-mismatch': 1 }, malformed: {} });
});

test('a forgotten call answers a state with its own until the sender acknowledges it: two nodes that both forgot a call do not answer each other forever', () => {
  const d = alice();
  accepted(d.receive(0, 'bob', stateMessage(D, 'joined', 1)), d.command(10, { type: 'reject', callId: D.id }));
  d.advance(800_000); // bob never acknowledged the rejection: retransmissions, then the call is forgotten anyway
  assert.equal(d.stats(), { calls: 0, tombstones: 1, violations: {}, malformed: {} });
  assert.equal(d.receive(800_010, 'bob', stateMessage(D, 'left', 2)).lines, ['send bob ack D v2', 'send bob state D rejected v1', 'persist']);
  assert.equal(d.receive(800_020, 'bob', stateMessage(D, 'left', 2)).lines, ['send bob ack D v2', 'send bob state D rejected v1'], 'not acknowledged yet: told again');
  assert.equal(d.receive(800_030, 'bob', ackMessage(D.id, 1)).lines, []);
  assert.equal(d.receive(800_040, 'bob', stateMessage(D, 'left', 2)).lines, ['send bob ack D v2'], 'bob\'s answer to our answer: an ack, no third round');
});

// ---- timers and persistence over a busy run ----------------------------------------------------

/**
 * A busy life of `alice`: two incoming calls, mute, join, ring timeout, retransmissions, acks, a
 * switch, a direct call ending, pruning, a late message answered from a tombstone, a group dial, a
 * rejection, deafen, an unknown timer, a leave, dial glare won by each side, and forced prunes. Inputs
 * come in time order, and every timer fires when it is due.
 */
function busyLife(d: NodeDriver): void {
  const mine = (name: string, ...peers: string[]): CallInfo => ({ id: d.idOf(name), initiator: 'alice', participants: ['alice', ...peers] });
  const glare = (id: string, caller: string): CallInfo => ({ id, initiator: caller, participants: [caller, 'alice'] });
  const life: readonly (readonly [number, () => Rendered])[] = [
    [0, () => d.receive(0, 'carol', stateMessage(G, 'joined', 1))],
    [100, () => d.receive(100, 'bob', stateMessage(D, 'joined', 1))],
    [200, () => d.command(200, { type: 'mute', muted: true })],
    [1000, () => d.command(1000, { type: 'join', callId: G.id })],
    [40_000, () => d.receive(40_000, 'carol', ackMessage(G.id, 1))],
    [40_010, () => d.receive(40_010, 'bob', stateMessage(G, 'joined', 1, { deafened: true }))],
    [40_020, () => d.receive(40_020, 'bob', stateMessage(G, 'joined', 2))],
    [41_000, () => d.command(41_000, { type: 'join', callId: D.id })],
    [41_010, () => d.receive(41_010, 'bob', ackMessage(D.id, 1))],
    [42_000, () => d.receive(42_000, 'bob', stateMessage(D, 'left', 2))],
    [42_010, () => d.receive(42_010, 'bob', ackMessage(D.id, 2))],
    [43_000, () => d.receive(43_000, 'carol', stateMessage(G, 'left', 2))],
    [43_010, () => d.receive(43_010, 'bob', stateMessage(G, 'left', 3))],
    [43_020, () => d.receive(43_020, 'carol', ackMessage(G.id, 2))],
    [43_030, () => d.receive(43_030, 'bob', ackMessage(G.id, 2))],
    [300_000, () => d.receive(300_000, 'bob', stateMessage(D, 'joined', 1))],
    [300_100, () => d.command(300_100, { type: 'dial', peers: ['bob', 'carol'] })],
    [300_200, () => d.command(300_200, { type: 'deafen', deafened: true })],
    [300_300, () => d.receive(300_300, 'carol', stateMessage(mine('c1', 'bob', 'carol'), 'rejected', 1))],
    [400_000, () => d.timer(400_000, 'bogus')],
    [400_100, () => d.command(400_100, { type: 'leave' })],
    [400_200, () => d.command(400_200, { type: 'dial', peers: ['dave'] })],
    [400_300, () => d.receive(400_300, 'dave', stateMessage(glare('0000000000000001', 'dave'), 'joined', 1))], // smaller id: alice's c2 merges into it
    [400_400, () => d.command(400_400, { type: 'dial', peers: ['erin'] })],
    [400_500, () => d.receive(400_500, 'erin', stateMessage(glare('ca11000000000005', 'erin'), 'joined', 1))], // larger id: merged into alice's c4
    [400_600, () => d.receive(400_600, 'erin', stateMessage(mine('c4', 'erin'), 'joined', 1))],
    [400_700, () => d.command(400_700, { type: 'leave' })],
    [1_100_000, () => d.timer(1_100_000, 'antiEntropy')],
  ];
  for (const [at, input] of life) accepted(...d.advance(at), input());
}

test('timers are a closed set: every name armed or cancelled parses, and unknown names are ignored', () => {
  const d = alice();
  const [names, shown] = [new Set<string>(), new Set<string>()];
  d.observe = (step) =>
    step.outputs.forEach((o, i) => {
      if (o.type !== 'setTimer' && o.type !== 'cancelTimer') return;
      names.add(o.timer);
      shown.add(step.lines[i]!.split(' ')[1]!); // with call ids as names
    });
  busyLife(d);
  assert.equal([...names].filter((name) => parseTimer(name) === undefined), []);
  assert.equal([...shown].sort(), [
    'antiEntropy',
    'prune/D', 'prune/G', 'prune/c1', 'prune/c2',
    'retransmit/D', 'retransmit/G', 'retransmit/c1', 'retransmit/c2', 'retransmit/c3', 'retransmit/c4',
    'ring/D', 'ring/G', 'ring/c1', 'ring/c2',
  ]);

  const e = alice();
  accepted(e.receive(0, 'carol', stateMessage(G, 'joined', 1)), e.command(10, { type: 'join', callId: G.id }));
  const list = e.list();
  for (const name of ['bogus', '', 'ring', 'Ring/' + G.id, 'antientropy', `retransmit/${UNKNOWN}`, `prune/${UNKNOWN}`, `ring/${UNKNOWN}`, 'retransmit/']) {
    assert.equal(e.timer(20, name), { outcome: { ok: true }, outputs: [], lines: [] }, name);
  }
  assert.equal(e.list(), list);
});

/** A call view as a restarted node shows it: not ringing, and out of the call it was in (R7). */
function afterRestart(v: CallView, self: string): CallView {
  if (v.self !== 'joined') return { ...v, ringing: false };
  const participants = v.participants.map((p) => (p.peer === self ? { ...p, status: 'left' as const, version: p.version + 1 } : p));
  const someoneIn = participants.some((p) => p.status === 'joined');
  return { ...v, participants, self: 'left', active: false, ended: v.kind === 'direct', pending: v.kind === 'group' && someoneIn, ringing: false };
}

test('persist: each state change ends with exactly one persist; a node restored from it shows the same calls, out of its call (R7)', () => {
  const d = alice();
  const durable = () => d.views().map((v) => d.view({ ...v, ringing: false })); // ringing is volatile
  let [list, snapshot, persists]: [string[], Uint8Array, number] = [durable(), new Uint8Array(0), 0];
  d.observe = (step) => {
    const context = step.lines.join('; ');
    const count = step.outputs.filter((o) => o.type === 'persist').length;
    if (count === 0) {
      assert.equal(durable(), list, `state changed without persist: ${context}`);
    } else {
      assert.is(count, 1, context);
      const next = snapshotOf(step);
      assert.not.equal(next, snapshot, `persisted an unchanged state: ${context}`);
      const restored = d.fork();
      accepted(restored.restart(0, next));
      assert.equal(restored.list(), d.views().map((v) => d.view(afterRestart(v, 'alice'))), context);
      [snapshot, persists] = [next, persists + 1];
    }
    list = durable();
  };
  busyLife(d);
  assert.is(persists, 24);
});

test('R7: a restarted node leaves the call it was in and says so; preferences and other calls survive', () => {
  const d = alice();
  accepted(
    d.receive(0, 'carol', stateMessage(G, 'joined', 1)),
    d.command(10, { type: 'join', callId: G.id }),
    d.receive(20, 'bob', stateMessage(G, 'joined', 1)),
    d.receive(30, 'bob', stateMessage(D, 'joined', 1)),
  );
  const muted = d.command(40, { type: 'mute', muted: true });
  assert.equal(muted.lines, ['send carol state G joined muted v2', 'send bob state G joined muted v2', 'set retransmit/G @540', 'persist']);
  assert.equal(d.list(), [
    'G group by carol self=joined [carol:joined/v1 alice:joined+muted/v2 bob:joined/v1] active',
    'D direct by bob self=invited [bob:joined/v1 alice:invited/v0] pending ringing',
  ]);
  assert.equal(d.restart(1000, snapshotOf(muted)).lines, [
    'send carol state G left muted v3',
    'send bob state G left muted v3',
    'set retransmit/G @1500',
    'event left G (restart)',
    'event pending G',
    'persist',
  ]);
  assert.equal(d.list(), [
    'G group by carol self=left [carol:joined/v1 alice:left+muted/v3 bob:joined/v1] pending',
    'D direct by bob self=invited [bob:joined/v1 alice:invited/v0] pending',
  ]);
  // It can join again, still muted.
  assert.equal(d.command(2000, { type: 'join', callId: G.id }).lines, [
    'send carol state G joined muted v4',
    'send bob state G joined muted v4',
    'set retransmit/G @2500',
    'event joined G group by carol self=joined [carol:joined/v1 alice:joined+muted/v4 bob:joined/v1] active',
    'set antiEntropy @7000',
    'persist',
  ]);
});

test('R7: restarting out of a direct call ends it; a start without a snapshot is a fresh node', () => {
  const d = alice();
  accepted(d.command(0, { type: 'dial', peers: ['bob'] }));
  const deafened = d.command(10, { type: 'deafen', deafened: true });
  assert.equal(d.restart(100, snapshotOf(deafened)).lines, ['send bob state c1 left deaf v3', 'set retransmit/c1 @600', 'event left c1 (restart)', 'set prune/c1 @120100', 'persist']);
  assert.equal(d.list(), ['c1 direct by alice self=left [alice:left+deaf/v3 bob:invited/v0] ended']);
  assert.equal(d.restart(200, undefined), { outcome: { ok: true }, outputs: [], lines: [] });
  assert.equal(d.list(), []);
});

// A snapshot that is valid JSON of the wrong shape is refused field by field, never thrown on.
test('start: a snapshot the node cannot read is refused (bad-command) with no output, never thrown', () => {
  const unreadable = ['not json', '{"v":2,"calls":[],"tombstones":[]}', '{"v":1,"muted":false,"deafened":false,"calls":[{"info":{"id":"ca11000000000001"},"registers":[]}],"tombstones":[]}'];
  for (const text of unreadable) {
    const d = alice();
    let step: Rendered | undefined;
    assert.not.throws(() => (step = d.restart(0, new TextEncoder().encode(text))), text);
    assert.equal(step, { outcome: { ok: false, error: { code: 'bad-command', message: 'the persisted snapshot cannot be read; starting empty' } }, outputs: [], lines: [] }, text);
    assert.equal(d.list(), [], text);
  }
});

// Each edit breaks one field of a real snapshot, so each is refused for that field alone.
test('start: a snapshot with one field wrong is refused; the same snapshot unedited restores', () => {
  const real = JSON.parse(new TextDecoder().decode(snapshotOf(alice().command(0, { type: 'dial', peers: ['bob', 'carol'] }))));
  const [call] = real.calls;
  const edits: Record<string, (json: any) => void> = {
    'version 2': (json) => (json.v = 2),
    'calls not a list': (json) => (json.calls = {}),
    'tombstones not a list': (json) => (json.tombstones = {}),
    'muted not a boolean': (json) => (json.muted = 'no'),
    'a register of a non-participant': (json) => json.calls[0].registers.push(['mallory', call.registers[0][1]]),
    'a stored register that is only invited': (json) => (json.calls[0].registers[0][1] = { ...call.registers[0][1], status: 'invited', version: 0 }),
    'a flag not a boolean': (json) => (json.calls[0].announced = 1),
    'mergedInto not a call id': (json) => (json.calls[0].mergedInto = 5),
    'a tombstone without its time': (json) => json.tombstones.push({ call }),
  };
  const restored = alice();
  accepted(restored.restart(0, new TextEncoder().encode(JSON.stringify(real))));
  assert.equal(restored.list().length, 1);
  for (const [name, edit] of Object.entries(edits)) {
    const json = structuredClone(real);
    edit(json);
    const d = alice();
    assert.equal(d.restart(0, new TextEncoder().encode(JSON.stringify(json))).outcome, { ok: false, error: { code: 'bad-command', message: 'the persisted snapshot cannot be read; starting empty' } }, name);
    assert.equal(d.list(), [], name);
  }
});

// ---- configuration ------------------------------------------------------------------------------

test('resolveConfig fills in the documented defaults and refuses bad settings with a RangeError naming the field', () => {
  assert.equal(resolveConfig(), DEFAULT_PROTOCOL_CONFIG);
  assert.ok(Object.isFrozen(resolveConfig({ ringTimeoutMs: 5 })));
  assert.is(resolveConfig({ ringTimeoutMs: 5 }).ringTimeoutMs, 5);
  const bad: readonly (readonly [object, string])[] = [
    [{ retransmitInitialMs: 0 }, 'config.retransmitInitialMs: expected a number > 0, got 0'],
    [{ ringTimeoutMs: -5 }, 'config.ringTimeoutMs: expected a number > 0, got -5'],
    [{ antiEntropyMs: NaN }, 'config.antiEntropyMs: expected a number > 0, got NaN'],
    [{ pruneAfterMs: Infinity }, 'config.pruneAfterMs: expected a number > 0, got Infinity'],
    [{ maxMessageBytes: '4096' }, 'config.maxMessageBytes: expected a number > 0, got 4096'],
    [{ tombstoneMs: null }, 'config.tombstoneMs: expected a number > 0, got null'],
    [{ retransmitBackoff: 0.5 }, 'config.retransmitBackoff: expected a number >= 1, got 0.5'],
    [{ maxParticipants: 1 }, 'config.maxParticipants: expected an integer >= 2, got 1'],
    [{ maxParticipants: 2.5 }, 'config.maxParticipants: expected an integer >= 2, got 2.5'],
    [{ retransmitMs: 500 }, 'config.retransmitMs: expected a known setting (retransmitInitialMs, retransmitBackoff, retransmitMaxMs, ringTimeoutMs, antiEntropyMs, pruneAfterMs, tombstoneMs, maxParticipants, maxMessageBytes, audio, syncIntervalMs, syncRetryMs, playout), got 500'],
    [{ playout: 'jitterbuf' }, 'config.playout: expected one of fixed-3, ramjee-1, ramjee-4, neteq, callsim, got jitterbuf'],
    [{ audio: 'yes' }, 'config.audio: expected true or false, got yes'],
  ];
  for (const [settings, message] of bad) {
    const named = (e: unknown) => e instanceof ConfigSettingError && e instanceof RangeError && e.message === message;
    assert.throws(() => resolveConfig(settings as Partial<ProtocolConfig>), named, message);
    assert.throws(() => new CallNode({ id: 'alice', random: { nextUint32: () => 0 } }, settings as Partial<ProtocolConfig>), named, message);
  }
});

test.run();
