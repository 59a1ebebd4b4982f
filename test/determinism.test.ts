/**
 * Determinism: the same seed gives the same trace, byte for byte, in one process and in two; different
 * seeds differ; named random streams are independent, so adding a node or a link changes nobody
 * else's draws.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { probeProtocol, type ProbeCommand, type ProbeEvent } from '../scenarios/probe-protocol.ts';
import { RandomStreams, TraceRecorder, World } from '../sim/index.ts';
import { busyWorld } from './support/busy-world.ts';

const test = suite('determinism: same seed, same trace');

test('the same seed gives the same trace hash twice in one process, over a run that uses every model and fault', () => {
  const recorder = new TraceRecorder();
  const first = busyWorld(42, [recorder]);
  const second = busyWorld(42);
  assert.equal(second, first);
  const kinds = new Set(recorder.events.map((e) => e.kind));
  assert.equal([...kinds].sort(), ['command', 'corrupt', 'deliver', 'drop', 'duplicate', 'event', 'fault', 'persist', 'send', 'timer']);
  const reasons = new Set(recorder.ofKind('drop').map((e) => e.reason));
  assert.equal([...reasons].sort(), ['crashed', 'loss', 'partition', 'queue']);
  assert.ok(recorder.ofKind('deliver').some((e) => e.refused !== undefined), 'some corrupted packet was refused by the codec');
});

test('the same seed gives the same trace hash in a separate process', () => {
  const script = fileURLToPath(new URL('./support/print-hash.ts', import.meta.url));
  const out = execFileSync(process.execPath, ['--import', 'tsx', script, '42'], { encoding: 'utf8' }).trim();
  assert.is(out, busyWorld(42).hash);
});

test('a sink that names its kinds gets those alone, and leaves the run and the other sinks untouched', () => {
  const all = new TraceRecorder();
  const kinds: string[] = [];
  const eventsOnly = { kinds: ['event', 'fault'] as const, record: (e: { kind: string }) => kinds.push(e.kind) };
  const withFilter = busyWorld(9, [all, eventsOnly]);
  assert.equal(withFilter, busyWorld(9));
  assert.ok(kinds.length > 0);
  assert.equal([...new Set(kinds)].sort(), ['event', 'fault']);
  assert.is(kinds.length, all.events.filter((e) => e.kind === 'event' || e.kind === 'fault').length);
});

test('different seeds give different traces', () => {
  const hashes = new Set([1, 2, 3, 4, 5].map((seed) => busyWorld(seed).hash));
  assert.is(hashes.size, 5);
});

test('seeds are reduced to 32 bits: 2^32 + 7 runs exactly like 7', () => {
  assert.is(busyWorld(2 ** 32 + 7).hash, busyWorld(7).hash);
});

test('named streams do not depend on creation order or on other streams', () => {
  const draw = (streams: RandomStreams, name: string) => Array.from({ length: 5 }, () => streams.stream(name).nextUint32());
  const a = new RandomStreams(9);
  const b = new RandomStreams(9);
  const a1 = draw(a, 'link/x>y/media/delay');
  draw(b, 'node/z');
  draw(b, 'link/y>x/media/delay');
  assert.equal(draw(b, 'link/x>y/media/delay'), a1);
  assert.not.equal(draw(new RandomStreams(10), 'link/x>y/media/delay'), a1);
});

function aliceBobDeliveries(extraNodes: boolean): string[] {
  const trace = new TraceRecorder();
  const world = new World<ProbeCommand, ProbeEvent>({ seed: 5, network: 'wifi-lossy', trace: [trace] });
  world.addNode('alice', probeProtocol);
  if (extraNodes) world.addNode('carol', probeProtocol);
  world.addNode('bob', probeProtocol);
  if (extraNodes) {
    world.addNode('dave', probeProtocol);
    world.command('carol', { type: 'probe', to: 'dave', count: 200, everyMs: 3 });
    world.command('dave', { type: 'probe', to: 'alice', count: 200, everyMs: 4, channel: 'media' });
  }
  world.command('alice', { type: 'probe', to: 'bob', count: 200, everyMs: 5 });
  world.runUntilIdle();
  const pair = new Set(['alice', 'bob']);
  return trace
    .ofKind('deliver', 'drop')
    .filter((e) => e.channel === 'signaling' && pair.has(e.node) && pair.has(e.kind === 'deliver' ? e.from : e.to))
    .map((e) => `${e.t} ${e.kind} ${e.node}`);
}

test('adding nodes and links leaves an existing link\'s draws unchanged', () => {
  const alone = aliceBobDeliveries(false);
  const crowded = aliceBobDeliveries(true);
  assert.ok(alone.length > 300);
  assert.equal(crowded, alone);
});

test.run();
