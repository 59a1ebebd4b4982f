/**
 * The reference protocol's requirements R1–R14, each as a short scenario on the simulator asserting the
 * whole sequence of events on every node. Every scenario runs twice: on a perfect network, and on one
 * with 20 % loss, 20 % duplication, reordering, corruption and heavy jitter; user actions are spaced so
 * that the protocol has converged between them, and the expected sequences are the same on both.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { CallView } from '../protocol/index.ts';
import type { Session } from '../scenarios/session.ts';
import { forge, NETWORKS, play, valueOf, type CallWorld, type CallWorldOptions, type Step } from './support/call-world.ts';

const test = suite('protocol requirements on the simulator');

interface Requirement {
  readonly peers: readonly string[];
  readonly steps: readonly Step[];
  readonly end: number;
  /** Exact event sequences of these nodes (nodes in a genuine race, whose order may differ, are left out). */
  readonly expect: Record<string, string[]>;
  readonly options?: Omit<CallWorldOptions, 'network'>;
  readonly check?: (w: CallWorld) => void;
}

/** Register `title` on both networks. */
function requirement(title: string, r: Requirement): void {
  for (const [name, network] of Object.entries(NETWORKS)) {
    test(`${title} (${name} network)`, () => {
      const w = play(r.peers, r.steps, r.end, { ...r.options, network });
      for (const [node, events] of Object.entries(r.expect)) assert.equal(w.events(node), events, node);
      r.check?.(w);
    });
  }
}

const S = 10_000; // spacing between user actions
const pendingOf = (w: CallWorld, node: string) => valueOf<CallView[]>(w.world.command(node, { type: 'list' })).filter((c) => c.pending).map((c) => c.callId);
const outcomeAt = (w: CallWorld, at: number, node: string) => w.outcomes.find((o) => o.at === at && o.node === node)!.outcome;

requirement('R1 dial one peer: a direct call; the call id comes from the node\'s random source', {
  peers: ['alice', 'bob'],
  steps: [[0, 'alice', { type: 'dial', peers: ['bob'] }]],
  end: S,
  expect: { alice: ['joined c1 [alice]'], bob: ['incoming c1 from alice'] },
  check: (w) => {
    assert.equal([w.view('alice', 'c1').kind, w.view('bob', 'c1').kind], ['direct', 'direct']);
    assert.match(w.id('c1'), /^[0-9a-f]{16}$/);
    const again = play(['alice', 'bob'], [[0, 'alice', { type: 'dial', peers: ['bob'] }]], 100, { network: NETWORKS.perfect });
    const other = play(['alice', 'bob'], [[0, 'alice', { type: 'dial', peers: ['bob'] }]], 100, { network: NETWORKS.perfect, seed: 2 });
    assert.is(again.id('c1'), w.id('c1'));
    assert.is.not(other.id('c1'), w.id('c1'));
  },
});

requirement('R1 dial several peers: a group call', {
  peers: ['alice', 'bob', 'carol'],
  steps: [[0, 'alice', { type: 'dial', peers: ['bob', 'carol'] }]],
  end: S,
  expect: { alice: ['joined c1 [alice]'], bob: ['incoming c1 from alice'], carol: ['incoming c1 from alice'] },
  check: (w) => assert.equal(w.view('carol', 'c1').kind, 'group'),
});

requirement('R2 answer: accept, reject, or no action (rings for the ring time, then stays pending and joinable)', {
  peers: ['alice', 'bob', 'carol', 'dave'],
  steps: [
    [0, 'alice', { type: 'dial', peers: ['bob', 'carol', 'dave'] }],
    [S, 'bob', { type: 'join', call: 'c1' }],
    [2 * S, 'carol', { type: 'reject', call: 'c1' }],
    [5 * S, 'dave', { type: 'join', call: 'c1' }],
  ],
  end: 6 * S,
  expect: {
    alice: ['joined c1 [alice]', '+bob', '+dave'],
    bob: ['incoming c1 from alice', 'joined c1 [alice bob]', '+dave'],
    carol: ['incoming c1 from alice'],
    dave: ['incoming c1 from alice', 'ring-timeout c1', 'joined c1 [alice bob dave]'],
  },
  check: (w) => {
    assert.equal(w.membership('alice', 'c1'), 'alice:joined bob:joined carol:rejected dave:joined');
    // a rejecter is told nothing more about the call, so its picture stops at its rejection
    assert.equal(w.membership('carol', 'c1'), 'alice:joined bob:joined carol:rejected dave:invited');
  },
});

requirement('R3 the offer reaches an invitee who comes online later, who can then join', {
  peers: ['alice', 'bob', 'carol'],
  options: { offline: ['bob'] },
  steps: [
    [0, 'alice', { type: 'dial', peers: ['bob', 'carol'] }],
    [S, 'carol', { type: 'join', call: 'c1' }],
    [3 * S, 'bob', { type: 'restart' }],
    [5 * S, 'bob', { type: 'join', call: 'c1' }],
  ],
  end: 6 * S,
  expect: {
    alice: ['joined c1 [alice]', '+carol', '+bob'],
    bob: ['incoming c1 from alice', 'joined c1 [alice bob carol]'],
    carol: ['incoming c1 from alice', 'joined c1 [alice carol]', '+bob'],
  },
  check: (w) => {
    const incoming = w.trace.ofKind('event').find((e) => e.node === 'bob')!;
    assert.ok(incoming.t >= 3 * S && incoming.t <= 3 * S + 8_100, `offer arrived ${incoming.t - 3 * S} ms after bob came online (retransmitMaxMs 8000)`);
  },
});

requirement('R3 a leave sent into a partition is retried and arrives after the heal', {
  peers: ['alice', 'bob', 'carol'],
  steps: [
    [0, 'alice', { type: 'dial', peers: ['bob', 'carol'] }],
    [S, 'bob', { type: 'join', call: 'c1' }],
    [2 * S, 'alice', { type: 'partition', from: ['bob', 'carol'] }],
    [2 * S + 100, 'alice', { type: 'leave' }],
    [4 * S, 'alice', { type: 'heal' }],
  ],
  end: 6 * S,
  expect: {
    alice: ['joined c1 [alice]', '+bob', 'left c1 (user)', 'pending c1'],
    bob: ['incoming c1 from alice', 'joined c1 [alice bob]', '-alice (left)'],
    carol: ['incoming c1 from alice', 'ring-timeout c1'],
  },
  check: (w) => {
    const left = w.trace.ofKind('event').find((e) => e.node === 'bob' && (e.event as { type: string }).type === 'participant-left')!;
    assert.ok(left.t > 4 * S, 'bob learned of the leave only after the heal');
    assert.equal(w.membership('carol', 'c1'), 'alice:left bob:joined carol:invited');
  },
});

requirement('R4 a join and a leave by two peers at nearly the same time end in the same state everywhere', {
  peers: ['alice', 'bob', 'carol', 'dave'],
  steps: [
    [0, 'alice', { type: 'dial', peers: ['bob', 'carol', 'dave'] }],
    [S, 'bob', { type: 'join', call: 'c1' }],
    [S + 3000, 'carol', { type: 'join', call: 'c1' }],
    [2 * S, 'bob', { type: 'leave' }],
    [2 * S, 'dave', { type: 'join', call: 'c1' }],
    [2 * S + 1, 'carol', { type: 'leave' }],
  ],
  end: 4 * S,
  expect: {
    bob: ['incoming c1 from alice', 'joined c1 [alice bob]', '+carol', 'left c1 (user)', 'pending c1'],
  },
  check: (w) => {
    const everywhere = w.peers.map((p) => w.membership(p, 'c1'));
    assert.equal(new Set(everywhere).size, 1, everywhere.join(' | '));
    assert.is(everywhere[0], 'alice:joined bob:left carol:left dave:joined');
  },
});

requirement('R4 two commands from one app in the same millisecond: the latest wins on every node', {
  peers: ['alice', 'bob', 'carol'],
  steps: [
    [0, 'alice', { type: 'dial', peers: ['bob', 'carol'] }],
    [S, 'bob', { type: 'join', call: 'c1' }],
    [S, 'bob', { type: 'leave' }],
    [2 * S, 'carol', { type: 'join', call: 'c1' }],
    [2 * S, 'carol', { type: 'leave' }],
    [2 * S, 'carol', { type: 'join', call: 'c1' }],
  ],
  end: 4 * S,
  expect: {
    bob: ['incoming c1 from alice', 'joined c1 [alice bob]', 'left c1 (user)', 'pending c1'],
    carol: ['incoming c1 from alice', 'joined c1 [alice carol]', 'left c1 (user)', 'pending c1', 'joined c1 [alice carol]'],
  },
  check: (w) => {
    const everywhere = w.peers.map((p) => w.membership(p, 'c1'));
    assert.equal(everywhere, Array(3).fill('alice:joined bob:left carol:joined'));
    assert.equal([w.view('bob', 'c1').participants[1]!.version, w.view('carol', 'c1').participants[2]!.version], [2, 3]);
  },
});

requirement('R5 a group where several joined and one left stays pending; when everyone has left it is not', {
  peers: ['alice', 'bob', 'carol', 'dave'],
  steps: [
    [0, 'alice', { type: 'dial', peers: ['bob', 'carol', 'dave'] }],
    [S, 'bob', { type: 'join', call: 'c1' }],
    [2 * S, 'carol', { type: 'join', call: 'c1' }],
    [3 * S + 500, 'carol', { type: 'leave' }],
    [4 * S, 'bob', { type: 'leave' }],
    [5 * S, 'alice', { type: 'leave' }],
  ],
  end: 6 * S,
  expect: {
    alice: ['joined c1 [alice]', '+bob', '+carol', '-carol (left)', '-bob (left)', 'left c1 (user)'],
    bob: ['incoming c1 from alice', 'joined c1 [alice bob]', '+carol', '-carol (left)', 'left c1 (user)', 'pending c1', 'cancelled c1'],
    carol: ['incoming c1 from alice', 'joined c1 [alice bob carol]', 'left c1 (user)', 'pending c1', 'cancelled c1'],
    dave: ['incoming c1 from alice', 'ring-timeout c1', 'cancelled c1', 'missed c1'],
  },
  check: (w) => assert.equal(pendingOf(w, 'dave'), []),
});

requirement('R5 mid-call check: after one of several leaves, the invitee still sees the call pending', {
  peers: ['alice', 'bob', 'carol', 'dave'],
  steps: [
    [0, 'alice', { type: 'dial', peers: ['bob', 'carol', 'dave'] }],
    [S, 'bob', { type: 'join', call: 'c1' }],
    [S + 3000, 'carol', { type: 'join', call: 'c1' }],
    [2 * S, 'carol', { type: 'leave' }],
  ],
  end: 3 * S,
  expect: {
    alice: ['joined c1 [alice]', '+bob', '+carol', '-carol (left)'],
    bob: ['incoming c1 from alice', 'joined c1 [alice bob]', '+carol', '-carol (left)'],
    carol: ['incoming c1 from alice', 'joined c1 [alice bob carol]', 'left c1 (user)', 'pending c1'],
    dave: ['incoming c1 from alice'],
  },
  check: (w) => assert.equal(pendingOf(w, 'dave'), [w.id('c1')]),
});

requirement('R6 in a direct call, when one leaves the call ends for the other and cannot be rejoined', {
  peers: ['alice', 'bob'],
  steps: [
    [0, 'alice', { type: 'dial', peers: ['bob'] }],
    [S, 'bob', { type: 'join', call: 'c1' }],
    [2 * S, 'bob', { type: 'leave' }],
    [3 * S, 'bob', { type: 'join', call: 'c1' }],
  ],
  end: 4 * S,
  expect: {
    alice: ['joined c1 [alice]', '+bob', '-bob (left)', 'left c1 (direct-ended)'],
    bob: ['incoming c1 from alice', 'joined c1 [alice bob]', 'left c1 (user)'],
  },
  check: (w) => {
    assert.equal(outcomeAt(w, 3 * S, 'bob'), { ok: false, error: { code: 'call-ended', message: `the direct call ${w.id('c1')} has ended` } });
    assert.equal([w.view('alice', 'c1').ended, w.view('bob', 'c1').ended], [true, true]);
  },
});

requirement('R6 a group call goes on while anyone is in it, even alone', {
  peers: ['alice', 'bob', 'carol'],
  steps: [
    [0, 'alice', { type: 'dial', peers: ['bob', 'carol'] }],
    [S, 'bob', { type: 'join', call: 'c1' }],
    [2 * S, 'bob', { type: 'leave' }],
  ],
  end: 5 * S,
  expect: {
    alice: ['joined c1 [alice]', '+bob', '-bob (left)'],
    bob: ['incoming c1 from alice', 'joined c1 [alice bob]', 'left c1 (user)', 'pending c1'],
    carol: ['incoming c1 from alice', 'ring-timeout c1'],
  },
  check: (w) => assert.equal([w.view('alice', 'c1').active, w.view('carol', 'c1').pending], [true, true]),
});

requirement('R7 leave and rejoin as often as wanted, including after the app was turned off and on', {
  peers: ['alice', 'bob', 'carol'],
  steps: [
    [0, 'alice', { type: 'dial', peers: ['bob', 'carol'] }],
    [S, 'bob', { type: 'join', call: 'c1' }],
    [2 * S, 'bob', { type: 'leave' }],
    [3 * S, 'bob', { type: 'join', call: 'c1' }],
    [4 * S, 'bob', { type: 'crash' }],
    [5 * S, 'bob', { type: 'restart' }],
    [6 * S, 'bob', { type: 'join', call: 'c1' }],
    [7 * S, 'bob', { type: 'leave' }],
    [7 * S + 500, 'bob', { type: 'crash' }],
    [8 * S, 'bob', { type: 'restart' }],
    [9 * S, 'bob', { type: 'join', call: 'c1' }],
  ],
  end: 10 * S,
  expect: {
    alice: ['joined c1 [alice]', '+bob', '-bob (left)', '+bob', '-bob (left)', '+bob', '-bob (left)', '+bob'],
    bob: [
      'incoming c1 from alice',
      'joined c1 [alice bob]',
      'left c1 (user)',
      'pending c1',
      'joined c1 [alice bob]',
      'left c1 (restart)',
      'pending c1',
      'joined c1 [alice bob]',
      'left c1 (user)',
      'pending c1',
      'joined c1 [alice bob]',
    ],
    carol: ['incoming c1 from alice', 'ring-timeout c1'],
  },
});

requirement('R8 a peer who rejected is never invited again, not even after either side restarts', {
  peers: ['alice', 'bob', 'carol'],
  steps: [
    [0, 'alice', { type: 'dial', peers: ['bob', 'carol'] }],
    [S, 'carol', { type: 'reject', call: 'c1' }],
    [2 * S, 'bob', { type: 'join', call: 'c1' }],
    [3 * S, 'alice', { type: 'leave' }],
    [4 * S, 'alice', { type: 'join', call: 'c1' }],
    [5 * S, 'carol', { type: 'crash' }],
    [5 * S + 500, 'carol', { type: 'restart' }],
    [6 * S, 'alice', { type: 'crash' }],
    [6 * S + 500, 'alice', { type: 'restart' }],
    [7 * S, 'bob', { type: 'leave' }],
    [8 * S, 'alice', { type: 'join', call: 'c1' }],
    [9 * S, 'carol', { type: 'join', call: 'c1' }],
  ],
  end: 10 * S,
  expect: {
    alice: ['joined c1 [alice]', '+bob', 'left c1 (user)', 'pending c1', 'joined c1 [alice bob]', 'left c1 (restart)', 'pending c1', 'cancelled c1', 'joined c1 [alice]'],
    bob: ['incoming c1 from alice', 'joined c1 [alice bob]', '-alice (left)', '+alice', '-alice (left)', 'left c1 (user)', 'pending c1'],
    carol: ['incoming c1 from alice'],
  },
  check: (w) => {
    assert.equal(outcomeAt(w, 9 * S, 'carol'), { ok: false, error: { code: 'call-rejected', message: `${w.id('c1')} was rejected` } });
    const offersToCarol = w.trace.ofKind('send').filter((e) => e.to === 'carol' && e.label?.startsWith('state') && e.t > 2 * S);
    assert.equal(offersToCarol, [], 'nobody sends carol the call after learning of her rejection');
  },
});

requirement('R9 a direct call whose caller hangs up before an answer is a missed call', {
  peers: ['alice', 'bob'],
  steps: [
    [0, 'alice', { type: 'dial', peers: ['bob'] }],
    [S, 'alice', { type: 'leave' }],
  ],
  end: 2 * S,
  expect: { alice: ['joined c1 [alice]', 'left c1 (user)'], bob: ['incoming c1 from alice', 'cancelled c1', 'missed c1'] },
});

requirement('R9 an invitee who was offline for the whole call gets a missed call when it comes online', {
  peers: ['alice', 'bob', 'carol'],
  options: { offline: ['carol'] },
  steps: [
    [0, 'alice', { type: 'dial', peers: ['bob', 'carol'] }],
    [S, 'alice', { type: 'leave' }],
    [2 * S, 'carol', { type: 'restart' }],
  ],
  end: 4 * S,
  expect: { alice: ['joined c1 [alice]', 'left c1 (user)'], bob: ['incoming c1 from alice', 'cancelled c1', 'missed c1'], carol: ['missed c1'] },
});

requirement('R10 a joiner sees every participant\'s mute and deafen state at once; changes reach everyone', {
  peers: ['alice', 'bob', 'carol'],
  steps: [
    [0, 'alice', { type: 'dial', peers: ['bob', 'carol'] }],
    [S / 2, 'alice', { type: 'mute', muted: true }],
    [S - 2000, 'carol', { type: 'deafen', deafened: true }],
    [S, 'carol', { type: 'join', call: 'c1' }],
    [2 * S, 'bob', { type: 'join', call: 'c1' }],
    [3 * S, 'alice', { type: 'mute', muted: false }],
    [4 * S, 'bob', { type: 'mute', muted: true }],
  ],
  end: 5 * S,
  expect: {
    alice: ['joined c1 [alice]', '+carol+d', '+bob', 'bob muted'],
    bob: ['incoming c1 from alice', 'joined c1 [alice+m bob carol+d]', 'alice unmuted'],
    carol: ['incoming c1 from alice', 'joined c1 [alice+m carol+d]', '+bob', 'alice unmuted', 'bob muted'],
  },
});

requirement('R10 concurrent state changes reconcile to the latest on every node', {
  peers: ['alice', 'bob', 'carol'],
  steps: [
    [0, 'alice', { type: 'dial', peers: ['bob', 'carol'] }],
    [S, 'bob', { type: 'join', call: 'c1' }],
    [S, 'carol', { type: 'join', call: 'c1' }],
    [2 * S, 'alice', { type: 'mute', muted: true }],
    [2 * S, 'bob', { type: 'deafen', deafened: true }],
    [2 * S, 'alice', { type: 'mute', muted: false }],
    [2 * S, 'carol', { type: 'mute', muted: true }],
    [2 * S, 'alice', { type: 'mute', muted: true }],
    [2 * S, 'bob', { type: 'deafen', deafened: false }],
  ],
  end: 3 * S,
  expect: {},
  check: (w) => assert.equal(w.peers.map((p) => w.membership(p, 'c1')), Array(3).fill('alice:joined+m bob:joined carol:joined+m')),
});

requirement('R11 two incoming calls at once are both pending; each can be answered; joining one leaves the other properly', {
  peers: ['alice', 'bob', 'carol'],
  steps: [
    [0, 'alice', { type: 'dial', peers: ['carol'] }],
    [1000, 'bob', { type: 'dial', peers: ['carol'] }],
    [S, 'carol', { type: 'join', call: 'c1' }],
    [2 * S, 'carol', { type: 'join', call: 'c2' }],
  ],
  end: 3 * S,
  expect: {
    alice: ['joined c1 [alice]', '+carol', '-carol (left)', 'left c1 (direct-ended)'],
    bob: ['joined c2 [bob]', '+carol'],
    carol: ['incoming c1 from alice', 'incoming c2 from bob', 'joined c1 [alice carol]', 'left c1 (switched)', 'joined c2 [bob carol]'],
  },
});

requirement('R11 of two incoming calls, one can be rejected while in the other', {
  peers: ['alice', 'bob', 'carol'],
  steps: [
    [0, 'alice', { type: 'dial', peers: ['carol'] }],
    [1000, 'bob', { type: 'dial', peers: ['carol'] }],
    [5000, 'carol', { type: 'list' }],
    [S, 'carol', { type: 'join', call: 'c1' }],
    [2 * S, 'carol', { type: 'reject', call: 'c2' }],
  ],
  end: 3 * S,
  expect: {
    alice: ['joined c1 [alice]', '+carol'],
    bob: ['joined c2 [bob]', 'left c2 (direct-ended)'],
    carol: ['incoming c1 from alice', 'incoming c2 from bob', 'joined c1 [alice carol]'],
  },
  check: (w) => {
    const listed = valueOf<CallView[]>(outcomeAt(w, 5000, 'carol'));
    assert.equal(listed.map((c) => [c.callId, c.pending, c.ringing]), [
      [w.id('c1'), true, true],
      [w.id('c2'), true, true],
    ]);
  },
});

requirement('R11 two peers who dial each other directly at the same moment end up in one call', {
  peers: ['alice', 'bob'],
  steps: [
    [0, 'alice', { type: 'dial', peers: ['bob'] }],
    [0, 'bob', { type: 'dial', peers: ['alice'] }],
  ],
  end: S,
  expect: {},
  check: (w) => {
    const [keep, drop] = w.id('c1') < w.id('c2') ? ['c1', 'c2'] : ['c2', 'c1'];
    const [keeper, dropper] = keep === 'c1' ? ['alice', 'bob'] : ['bob', 'alice'];
    assert.equal(w.events(keeper), [`joined ${keep} [${keeper}]`, `+${dropper}`]);
    assert.equal(w.events(dropper), [`joined ${drop} [${dropper}]`, `left ${drop} (merged)`, `joined ${keep} [${keeper} ${dropper}]`]);
    for (const node of ['alice', 'bob']) {
      const active = valueOf<CallView[]>(w.world.command(node, { type: 'list' })).filter((c) => c.active);
      assert.equal(active.map((c) => c.callId), [w.id(keep)], `${node} is in exactly the kept call`);
    }
  },
});

requirement('R11 dialing a peer whose direct call to us is pending answers that call', {
  peers: ['alice', 'bob'],
  steps: [
    [0, 'alice', { type: 'dial', peers: ['bob'] }],
    [S, 'bob', { type: 'dial', peers: ['alice'] }],
  ],
  end: 2 * S,
  expect: { alice: ['joined c1 [alice]', '+bob'], bob: ['incoming c1 from alice', 'joined c1 [alice bob]'] },
});

requirement('R12 the call listener: list every call with its state; join sets the active call and returns its configuration', {
  peers: ['alice', 'bob', 'carol'],
  steps: [
    [0, 'alice', { type: 'dial', peers: ['bob', 'carol'] }],
    [1000, 'carol', { type: 'mute', muted: true }],
    [S, 'bob', { type: 'join', call: 'c1' }],
    [2 * S, 'carol', { type: 'join', call: 'c1' }],
    [2 * S + 1, 'carol', { type: 'get', call: 'c1' }],
    [2 * S + 2, 'carol', { type: 'list' }],
  ],
  end: 3 * S,
  expect: {
    alice: ['joined c1 [alice]', '+bob', '+carol+m'],
    bob: ['incoming c1 from alice', 'joined c1 [alice bob]', '+carol+m'],
    carol: ['incoming c1 from alice', 'joined c1 [alice bob carol+m]'],
  },
  check: (w) => {
    const joined = valueOf<CallView>(outcomeAt(w, 2 * S, 'carol'));
    const expected: CallView = {
      callId: w.id('c1'),
      kind: 'group',
      initiator: 'alice',
      participants: [
        { peer: 'alice', status: 'joined', muted: false, deafened: false, version: 1 },
        { peer: 'bob', status: 'joined', muted: false, deafened: false, version: 1 },
        { peer: 'carol', status: 'joined', muted: true, deafened: false, version: 1 },
      ],
      self: 'joined',
      active: true,
      pending: false,
      ringing: false,
      ended: false,
    };
    assert.equal(joined, expected);
    assert.equal(valueOf(outcomeAt(w, 2 * S + 1, 'carol')), expected);
    assert.equal(valueOf(outcomeAt(w, 2 * S + 2, 'carol')), [expected]);
  },
});

const forgedState = (w: Session, participants: string[], status: 'joined' | 'left' = 'joined') =>
  ({ type: 'state', call: { id: w.id('c1'), initiator: 'alice', participants }, register: { status, muted: false, deafened: false, version: 9 } }) as const;

requirement('R13 authority: messages from a peer not invited are ignored, a call cannot be redescribed, an outsider cannot join', {
  peers: ['alice', 'bob', 'carol', 'mallory'],
  options: { puppets: ['mallory'] },
  steps: [
    [0, 'alice', { type: 'dial', peers: ['bob', 'carol'] }],
    [S, 'bob', { type: 'join', call: 'c1' }],
    [2 * S, 'mallory', forge('bob', (w) => forgedState(w, ['alice', 'bob', 'carol']))],
    [2 * S, 'mallory', forge('bob', (w) => forgedState(w, ['alice', 'bob', 'carol', 'mallory']))],
    [2 * S, 'mallory', forge('carol', (w) => forgedState(w, ['alice', 'carol', 'mallory'], 'left'))],
    [2 * S, 'mallory', forge('alice', (w) => ({ type: 'ack', callId: w.id('c1'), version: 99 }))],
  ],
  end: 4 * S,
  expect: {
    alice: ['joined c1 [alice]', '+bob'],
    bob: ['incoming c1 from alice', 'joined c1 [alice bob]'],
    carol: ['incoming c1 from alice', 'ring-timeout c1'],
  },
  check: (w) => {
    // every forged message that arrived (the chaos network loses and duplicates some) was refused
    const refusals = w.trace.ofKind('deliver').filter((e) => e.from === 'mallory').map((e) => `${e.node}:${e.refused}`);
    const expected = ['alice:sender-not-invited', 'bob:call-mismatch', 'bob:sender-not-invited', 'carol:call-mismatch'];
    assert.ok(refusals.length > 0 && refusals.every((r) => expected.includes(r)), refusals.join(', '));
    const counted = (code: string) => refusals.filter((r) => r === `bob:${code}`).length;
    const bobViolations = valueOf<{ violations: Record<string, number> }>(w.world.command('bob', { type: 'stats' })).violations;
    assert.equal(bobViolations, Object.fromEntries(['sender-not-invited', 'call-mismatch'].filter(counted).map((c) => [c, counted(c)])));
    for (const p of ['alice', 'bob']) assert.equal(w.membership(p, 'c1'), 'alice:joined bob:joined carol:invited');
  },
});

requirement('R14 calls that ended are forgotten after the prune time; a late message for one cannot bring it back', {
  peers: ['alice', 'bob'],
  options: { config: { pruneAfterMs: 5000, tombstoneMs: 20_000 } },
  steps: [
    [0, 'alice', { type: 'dial', peers: ['bob'] }],
    [500, 'alice', { type: 'hold', to: 'bob' }],
    [600, 'alice', { type: 'mute', muted: true }],
    [1000, 'bob', { type: 'reject', call: 'c1' }],
    [S, 'alice', { type: 'release', to: 'bob' }],
    ...Array.from({ length: 12 }, (_, k): Step[] => [
      [(k + 2) * S, 'alice', { type: 'dial', peers: ['bob'] }],
      [(k + 2) * S + 5000, 'bob', { type: 'join', call: `c${k + 2}` }],
      [(k + 2) * S + 7000, 'alice', { type: 'leave' }],
    ]).flat(),
  ],
  end: 15 * S,
  expect: {
    bob: [
      'incoming c1 from alice',
      ...Array.from({ length: 12 }, (_, k) => [`incoming c${k + 2} from alice`, `joined c${k + 2} [alice+m bob]`, `-alice (left)`, `left c${k + 2} (direct-ended)`]).flat(),
    ],
  },
  check: (w) => {
    // bob, cut off from alice's acks, kept resending his rejection after alice had forgotten c1:
    // her tombstone answered each late message (ack + her final state) and c1 never came back
    const c1 = w.id('c1').slice(0, 4);
    const forgotten = w.trace.ofKind('timer').filter((e) => e.node === 'alice' && e.timer === `prune/${w.id('c1')}`).at(-1)!.t;
    const late = w.trace.ofKind('deliver').filter((e) => e.node === 'alice' && e.t > forgotten && e.t < S);
    assert.ok(late.length >= 1, 'a late message reached alice after she forgot c1');
    const replies = w.trace.ofKind('send').filter((e) => e.node === 'alice' && e.t > forgotten && e.t < S).map((e) => e.label!);
    assert.equal(new Set(replies), new Set([`ack v1 ${c1}`, `state left muted v3 ${c1}`]));
    assert.not.ok(w.events('alice').slice(2).some((e) => e.endsWith(' c1') || e.includes(' c1 ')), 'no event about c1 after alice left it');
    for (const node of ['alice', 'bob']) {
      const stats = valueOf<{ calls: number; tombstones: number }>(w.world.command(node, { type: 'stats' }));
      assert.ok(stats.calls <= 1 && stats.tombstones <= 3, `${node} keeps ${stats.calls} calls and ${stats.tombstones} tombstones after 13 calls`);
    }
  },
});

test.run();
