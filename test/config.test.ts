/**
 * Bad input: every invalid link, preset or world setting fails at construction with a `ConfigError`
 * that names the field, the allowed range and what was given.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { probeProtocol } from '../scenarios/probe-protocol.ts';
import { ConfigError, PERFECT_LINK, PRESET_NAMES, presetModel, resolveLinkModel, World, type LinkModel } from '../sim/index.ts';

const test = suite('config: bad settings name the field and the allowed range');

function rejects(settings: unknown, message: string) {
  try {
    resolveLinkModel(PERFECT_LINK, settings, 'link');
  } catch (error) {
    assert.instance(error, ConfigError);
    assert.is((error as Error).message, message);
    return;
  }
  assert.unreachable(`accepted ${JSON.stringify(settings)}`);
}

test('negative, infinite or non-numeric delays', () => {
  rejects({ delayMs: -1 }, 'link.delayMs: expected a finite number >= 0, got -1');
  rejects({ jitterMs: Infinity }, 'link.jitterMs: expected a finite number >= 0, got Infinity');
  rejects({ delayMs: '10ms' }, 'link.delayMs: expected a finite number >= 0, got "10ms"');
});

test('probabilities outside 0..1', () => {
  rejects({ duplicate: 1.5 }, 'link.duplicate: expected a probability in 0..1, got 1.5');
  rejects({ corrupt: -0.1 }, 'link.corrupt: expected a probability in 0..1, got -0.1');
  rejects({ delayCorrelation: 2 }, 'link.delayCorrelation: expected a probability in 0..1, got 2');
  rejects({ loss: { model: 'random', p: 5 } }, 'link.loss.p: expected a probability in 0..1, got 5');
  rejects({ loss: { model: 'gemodel', p: 0.1, r: 1.1 } }, 'link.loss.r: expected a probability in 0..1, got 1.1');
  rejects({ loss: { model: 'gemodel', p: 0.1, lossInBad: NaN } }, 'link.loss.lossInBad: expected a probability in 0..1, got NaN');
});

test('a burst length that cannot produce the asked loss (libwebrtc rule)', () => {
  rejects(
    { loss: { model: 'burst', rate: 0.6, meanBurstLength: 2 } },
    'link.loss.meanBurstLength: expected a number > 2 (libwebrtc: a burst length that can produce 60% loss), got 2',
  );
  rejects({ loss: { model: 'burst', rate: 1, meanBurstLength: 5 } }, 'link.loss.rate: expected a number in 0..1 (excluding 1), got 1');
  assert.equal(resolveLinkModel(PERFECT_LINK, { loss: { model: 'burst', rate: 0.6, meanBurstLength: 2.5 } }).loss, { model: 'burst', rate: 0.6, meanBurstLength: 2.5 });
});

test('unknown fields and models are named, with the known ones', () => {
  rejects({ jiter: 5 }, `link.jiter: expected one of ${Object.keys(PERFECT_LINK).join(', ')}, got "jiter"`);
  rejects({ loss: { model: 'markov' } }, 'link.loss.model: expected one of none, random, gemodel, burst, got "markov"');
  rejects({ loss: { model: 'random', p: 0.1, r: 0.2 } }, 'link.loss.r: expected one of model, p, correlation, got "r"');
  rejects({ distribution: 'gamma' }, 'link.distribution: expected one of uniform, normal, pareto, paretonormal, exponential, got "gamma"');
  rejects(7, 'link: expected an object of link settings, got 7');
});

test('inconsistent combinations', () => {
  rejects({ reorder: 0.1 }, 'link.reorder: expected 0 unless delayMs > 0 (as netem: reordering needs a delay), got 0.1');
  rejects({ delayMs: 10, reorder: 0.1, allowReordering: false }, 'link.reorder: expected 0 when allowReordering is false, got 0.1');
  rejects({ slot: { minMs: 10, maxMs: 5 } }, 'link.slot.maxMs: expected a number >= minMs (10), got 5');
  rejects({ slot: { minMs: 1, maxMs: 5, packets: 0 } }, 'link.slot.packets: expected an integer >= 1, got 0');
  rejects({ stall: { meanIntervalMs: 0, meanDurationMs: 5 } }, 'link.stall.meanIntervalMs: expected a finite number > 0, got 0');
  rejects({ queuePackets: 2.5 }, 'link.queuePackets: expected an integer >= 0, got 2.5');
  rejects({ reorderGap: 0 }, 'link.reorderGap: expected an integer >= 1, got 0');
});

test('an unknown preset is named with the list of known ones, in the world and in setLink', () => {
  const known = PRESET_NAMES.join(', ');
  assert.throws(() => new World({ seed: 1, network: '5g' }), (e: Error) => e.message === `network: expected one of ${known}, got "5g"`);
  assert.throws(() => new World({ seed: 1, media: { delayMs: -3 } }), (e: Error) => e.message === 'media.delayMs: expected a finite number >= 0, got -3');
  const world = new World({ seed: 1 });
  world.addNode('a', probeProtocol);
  world.addNode('b', probeProtocol);
  assert.throws(() => world.setLink('a', 'b', 'lte'), (e: Error) => e.message === `links.a>b/signaling: expected one of ${known}, got "lte"`);
  assert.throws(() => world.setLink('a', 'b', { loss: { model: 'random', p: 2 } }, { channel: 'media' }), (e: Error) => e.message === 'links.a>b/media.loss.p: expected a probability in 0..1, got 2');
  assert.is(world.link('a', 'b', 'media').current.loss.model, 'none', 'a refused change leaves the link as it was');
});

test('bad node ids, unknown nodes and bad seeds', () => {
  const world = new World({ seed: 1 });
  assert.throws(() => world.addNode('has space', probeProtocol), (e: Error) => e.message === 'node id: expected 1 to 64 of A-Z a-z 0-9 _ . : -, got "has space"');
  world.addNode('a', probeProtocol);
  assert.throws(() => world.addNode('a', probeProtocol), (e: Error) => e.message === 'node id: expected a name not already in the world, got "a"');
  assert.throws(() => world.crash('zed'), (e: Error) => e.message === 'node: expected one of a, got "zed"');
  assert.throws(() => new World({ seed: 1.5 }), /seed must be an integer, got 1.5/);
});

test('every preset is valid and its model is complete', () => {
  for (const name of PRESET_NAMES) {
    const model: LinkModel = presetModel(name);
    assert.equal(Object.keys(model).sort(), Object.keys(PERFECT_LINK).sort(), name);
  }
});

test.run();
