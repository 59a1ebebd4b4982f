/**
 * Every fault verb of the world, each asserted on the whole resulting trace. The network is a constant
 * 10 ms one-way delay so the expected traces read like a sequence diagram.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Protocol } from '../protocol/contract.ts';
import { probeProtocol, type ProbeCommand, type ProbeEvent } from '../scenarios/probe-protocol.ts';
import { TraceRecorder, World, type TraceKind } from '../sim/index.ts';

const test = suite('faults: verbs on the world, asserted on the trace');

function pair(seed = 1) {
  const trace = new TraceRecorder();
  const world = new World<ProbeCommand, ProbeEvent>({ seed, network: { delayMs: 10 }, trace: [trace] });
  world.addNode('alice', probeProtocol);
  world.addNode('bob', probeProtocol);
  return { world, trace };
}

const probe = (count: number, everyMs = 20): ProbeCommand => ({ type: 'probe', to: 'bob', count, everyMs });
const PACKETS: TraceKind[] = ['send', 'deliver', 'drop', 'fault'];

test('partition cuts both ways, drops in-flight packets at arrival, and heal restores delivery', () => {
  const { world, trace } = pair();
  world.command('alice', probe(3));
  world.at(15, (w) => w.partition('alice', 'bob'));
  world.at(30, (w) => w.heal());
  world.runUntilIdle();
  assert.equal(trace.lines(...PACKETS), [
    '0 send alice bob signaling #1 13 ping#0',
    '10 deliver bob alice signaling #1',
    '10 send bob alice signaling #2 13 pong#0',
    '15 fault partition {"a":["alice"],"b":["bob"]}',
    '20 send alice bob signaling #3 13 ping#1',
    '20 drop alice bob signaling #3 partition',
    '20 drop bob alice signaling #2 partition',
    '30 fault heal {"all":true}',
    '40 send alice bob signaling #4 13 ping#2',
    '50 deliver bob alice signaling #4',
    '50 send bob alice signaling #5 13 pong#2',
    '60 deliver alice bob signaling #5',
  ]);
  assert.equal(world.stats.dropped.partition, 2);
});

test('a one-way partition cuts one direction only', () => {
  const { world, trace } = pair();
  world.partitionOneWay('bob', 'alice');
  world.command('alice', probe(1));
  world.runUntilIdle();
  assert.equal(trace.lines('send', 'deliver', 'drop'), [
    '0 send alice bob signaling #1 13 ping#0',
    '10 deliver bob alice signaling #1',
    '10 send bob alice signaling #2 13 pong#0',
    '10 drop bob alice signaling #2 partition',
  ]);
  assert.ok(world.isPartitioned('bob', 'alice'));
  assert.not.ok(world.isPartitioned('alice', 'bob'));
});

test('partition between groups and isolate: only paths across the cut are lost', () => {
  const { world } = pair();
  world.addNode('carol', probeProtocol);
  world.addNode('dave', probeProtocol);
  world.partition(['alice', 'bob'], ['carol', 'dave']);
  const cut = (a: string, b: string) => world.isPartitioned(a, b);
  assert.equal([cut('alice', 'bob'), cut('carol', 'dave'), cut('alice', 'carol'), cut('dave', 'bob')], [false, false, true, true]);
  world.heal('alice', 'carol');
  assert.equal([cut('alice', 'carol'), cut('carol', 'alice'), cut('alice', 'dave')], [false, false, true]);
  world.heal();
  world.isolate('dave');
  assert.equal([cut('dave', 'alice'), cut('bob', 'dave'), cut('alice', 'bob')], [true, true, false]);
});

test('hold keeps every packet at the far end; release delivers them at once, in arrival order', () => {
  const { world, trace } = pair();
  world.hold('alice', 'bob', { channel: 'signaling' });
  world.command('alice', probe(3, 5));
  world.at(100, (w) => w.release('alice', 'bob', { channel: 'signaling' }));
  world.runUntilIdle();
  assert.equal(trace.lines('deliver', 'fault').filter((l) => !l.includes('alice bob')), [
    '0 fault hold {"channel":"signaling","from":"alice","to":"bob"}',
    '100 fault release {"channel":"signaling","from":"alice","to":"bob"}',
    '100 deliver bob alice signaling #1',
    '100 deliver bob alice signaling #2',
    '100 deliver bob alice signaling #3',
  ]);
  assert.equal(trace.ofKind('event').map((e) => (e.event as { rttMs: number }).rttMs), [110, 105, 100]);
});

test('crash loses timers and volatile state; packets to a crashed node drop; restart restores the snapshot', () => {
  const { world, trace } = pair();
  world.command('alice', probe(10));
  world.at(50, (w) => w.crash('alice'));
  world.at(55, (w) => w.crash('bob'));
  world.at(100, (w) => w.restart('alice'));
  world.at(100, (w) => w.restart('bob'));
  world.runUntilIdle();
  assert.equal(trace.lines('fault', 'drop', 'event', 'timer', 'persist'), [
    '20 timer alice probeInterval',
    '20 event alice {"peer":"bob","rttMs":20,"seq":0,"type":"rtt"}',
    '20 persist alice 4',
    '40 timer alice probeInterval',
    '40 event alice {"peer":"bob","rttMs":20,"seq":1,"type":"rtt"}',
    '40 persist alice 4',
    '50 fault crash {"node":"alice"}',
    '55 fault crash {"node":"bob"}',
    '60 drop bob alice signaling #6 crashed',
    '100 fault restart {"node":"alice","snapshot":4}',
    '100 event alice {"pongs":2,"type":"restored"}',
    '100 fault restart {"node":"bob","snapshot":0}',
  ]);
  assert.equal(world.host('alice').armedTimers, {});
  assert.equal(world.command('alice', { type: 'stop' }).ok, false);
});

test('commands to a node that is down or paused are refused with a typed error and traced', () => {
  const { world, trace } = pair();
  world.crash('bob');
  assert.equal(world.command('bob', probe(1)), { ok: false, error: { code: 'node-down', message: 'bob is down' } });
  world.restart('bob');
  world.pause('bob');
  assert.equal(world.command('bob', { type: 'stop' }), { ok: false, error: { code: 'node-paused', message: 'bob is paused' } });
  assert.equal(trace.lines('command'), [
    '0 command bob {"count":1,"everyMs":20,"to":"bob","type":"probe"} error:node-down',
    '0 command bob {"type":"stop"} error:node-paused',
  ]);
});

test('pause defers due timers and arriving messages; resume handles them in order', () => {
  const { world, trace } = pair();
  world.command('alice', probe(2));
  world.at(5, (w) => w.pause('bob'));
  world.at(12, (w) => w.pause('alice'));
  world.at(70, (w) => w.resume('bob'));
  world.at(90, (w) => w.resume('alice'));
  world.runUntilIdle();
  assert.equal(trace.lines('send', 'deliver', 'timer', 'event'), [
    '0 send alice bob signaling #1 13 ping#0',
    '70 deliver bob alice signaling #1',
    '70 send bob alice signaling #2 13 pong#0',
    '90 timer alice probeInterval',
    '90 send alice bob signaling #3 13 ping#1',
    '90 deliver alice bob signaling #2',
    '90 event alice {"peer":"bob","rttMs":90,"seq":0,"type":"rtt"}',
    '100 deliver bob alice signaling #3',
    '100 send bob alice signaling #4 13 pong#1',
    '110 deliver alice bob signaling #4',
    '110 event alice {"peer":"bob","rttMs":20,"seq":1,"type":"rtt"}',
  ]);
});

test('clock offset and drift: the node sees only its local clock; its timers follow it', () => {
  const { world, trace } = pair();
  world.setClock('alice', { offsetMs: 5000, driftPpm: 100_000 }); // 10 % fast
  assert.is(world.host('alice').localNow(), 5000);
  world.command('alice', probe(2, 110)); // 110 local ms = 100 global ms
  world.runUntilIdle();
  assert.equal(trace.lines('timer', 'event'), [
    '20 event alice {"peer":"bob","rttMs":22,"seq":0,"type":"rtt"}',
    '100 timer alice probeInterval',
    '120 event alice {"peer":"bob","rttMs":22,"seq":1,"type":"rtt"}',
  ]);
  world.setClock('alice', { offsetMs: -50 });
  assert.is(world.host('alice').localNow(), world.now - 50);
  assert.throws(() => world.setClock('alice', { driftPpm: -2e6 }), /clock.driftPpm: expected a number strictly between/);
});

test('a drift change moves armed timers to their new global deadline', () => {
  const { world, trace } = pair();
  world.command('alice', probe(2, 100));
  world.at(50, (w) => w.setClock('alice', { driftPpm: -500_000 })); // half speed: 50 local ms left take 100
  world.runUntilIdle();
  assert.equal(trace.lines('timer'), ['150 timer alice probeInterval']);
});

test('setLink changes a link mid-run, from the next packet on, in one direction only', () => {
  const { world, trace } = pair();
  world.command('alice', probe(2));
  world.at(15, (w) => w.setLink('alice', 'bob', { delayMs: 30 }, { channel: 'signaling' }));
  world.runUntilIdle();
  assert.equal(trace.lines('deliver'), [
    '10 deliver bob alice signaling #1',
    '20 deliver alice bob signaling #2',
    '50 deliver bob alice signaling #3',
    '60 deliver alice bob signaling #4',
  ]);
  assert.is(world.link('alice', 'bob', 'media').current.delayMs, 10);
  world.setNetwork('3g');
  assert.equal([world.link('alice', 'bob', 'signaling').current.delayMs, world.link('bob', 'alice', 'media').current.delayMs], [30, 250]);
});

test('a node that throws is taken down as a crashed app; the simulator carries on', () => {
  const trace = new TraceRecorder();
  const world = new World<string, never>({ seed: 1, trace: [trace] });
  const faulty: Protocol<string, never> = {
    name: 'faulty',
    create: () => ({
      handle: (input) => {
        if (input.type === 'command') throw new Error(`cannot ${input.command}`);
        return { ok: true };
      },
      pollOutput: () => undefined,
    }),
  };
  world.addNode('x', faulty);
  const outcome = world.command('x', 'dance');
  assert.equal(outcome, { ok: false, error: { code: 'node-threw', message: 'Error: cannot dance' } });
  assert.is(world.host('x').state, 'down');
  assert.equal(trace.lines('fault'), ['0 fault node-threw {"error":"Error: cannot dance","node":"x"}']);
});

test('a node that sends outside the contract (another channel, bytes that are not a Uint8Array) is a crashed app, and nothing reaches the peer', () => {
  const sends = [
    { channel: 'video', bytes: new Uint8Array(3), error: 'TypeError: send to y on "video" of [object Uint8Array]: the contract sends a Uint8Array on \'signaling\' or \'media\'' },
    { channel: 'signaling', bytes: 'hello', error: 'TypeError: send to y on "signaling" of [object String]: the contract sends a Uint8Array on \'signaling\' or \'media\'' },
  ];
  for (const { channel, bytes, error } of sends) {
    const trace = new TraceRecorder();
    const world = new World<string, never>({ seed: 1, trace: [trace] });
    let received = 0;
    const sloppy: Protocol<string, never> = {
      name: 'sloppy',
      create: (context) => {
        let pending = false;
        return {
          handle: (input) => {
            if (input.type === 'receive') received++;
            if (input.type === 'command') pending = true;
            return { ok: true };
          },
          pollOutput: () => (pending && context.id === 'x' ? ((pending = false), { type: 'send', to: 'y', channel, bytes } as never) : undefined),
        };
      },
    };
    world.addNode('x', sloppy);
    world.addNode('y', sloppy);
    world.command('x', 'send');
    world.scheduler.runUntilIdle();
    assert.equal([world.host('x').state, world.host('y').state, received, world.stats.sent], ['down', 'up', 0, 0]);
    assert.equal(trace.lines('fault'), [`0 fault node-threw ${JSON.stringify({ error, node: 'x' })}`]);
  }
});

test('sending to an unknown peer drops the packet as no-route', () => {
  const { world, trace } = pair();
  world.command('alice', { type: 'probe', to: 'nobody', count: 1, everyMs: 1 });
  assert.equal(trace.lines('drop'), ['0 drop alice nobody signaling #1 no-route']);
});

test.run();
