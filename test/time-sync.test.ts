/**
 * The 3-packet time sync and the media codec: the exact exchange, duplicates and stale packets, retries
 * after loss, and on the simulator the round-trip estimate against the true path (within 1 ms without
 * jitter, median error under 10 % with jitter), with skewed and drifting clocks, loss, duplication and
 * reordering.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { OK, type NodeOutput, type Protocol } from '../protocol/contract.ts';
import { decodeMedia, encodeMedia, type MediaMessage } from '../protocol/media-wire.ts';
import { TimeSync, type SyncSample } from '../protocol/time-sync.ts';
import { callProtocol } from '../protocol/index.ts';
import { Session } from '../scenarios/session.ts';
import { callRoundTripError } from '../scenarios/survey.ts';
import { PRESETS, World, type LinkOverrides } from '../sim/index.ts';
import type { PlayoutStats } from '../protocol/media/playout-stats.ts';
import { callsimPlayout } from '../protocol/media/callsim-playout.ts';
import type { PlayoutAlgorithm, PlayoutInput } from '../protocol/media/index.ts';

const test = suite('time sync: three packets, both ends learn the round trip');
const CONFIG = { intervalMs: 1000, retryMs: 500, window: 5 };

test('the exact exchange: A learns at packet 2, B at packet 3; clock offsets cancel out of the round trip', () => {
  const a = new TimeSync('alice', 'bob', CONFIG);
  const b = new TimeSync('bob', 'alice', CONFIG);
  assert.equal([a.initiator, b.initiator], [true, false]);
  // alice's clock reads 1000, bob's 5000 at the same instant; 30 ms alice→bob, 50 ms back
  const p1 = a.start(1000).send!;
  assert.equal(p1, { type: 'sync1', id: 1, t1: 1000 });
  const p2 = b.onMessage(p1, 5030);
  assert.equal(p2, { send: { type: 'sync2', id: 1, t1: 1000, t2: 5030, t3: 5030 } });
  const atA = a.onMessage(p2.send!, 1080);
  assert.equal(atA.sample, { rttMs: 80, offsetMs: (5030 - 1000 + 5030 - 1080) / 2, at: 1080 });
  assert.equal(atA.send, { type: 'sync3', id: 1, t3: 5030, t4: 1080, t5: 1080 });
  const atB = b.onMessage(atA.send!, 5110);
  assert.equal(atB, { sample: { rttMs: 80, offsetMs: (1080 - 5030 + 1080 - 5110) / 2, at: 5110 } });
  assert.equal([a.exchangeMeanMs, b.exchangeMeanMs, a.deadline], [80, 80, 2080]);
});

test('duplicates and overtaken packets are ignored; a lost reply starts a new exchange', () => {
  const a = new TimeSync('a', 'b', CONFIG);
  const b = new TimeSync('b', 'a', CONFIG);
  const p1 = a.start(0).send!;
  const p2 = b.onMessage(p1, 10).send!;
  assert.equal(b.onMessage(p1, 11), {}, 'duplicate packet 1');
  // packet 2 is lost: at the retry deadline alice starts exchange 2
  assert.equal(a.onTimer(499), {});
  const retry = a.onTimer(500).send!;
  assert.equal(retry, { type: 'sync1', id: 2, t1: 500 });
  const r2 = b.onMessage(retry, 510).send!;
  const done = a.onMessage(r2, 520);
  assert.equal(done.sample?.rttMs, 20);
  assert.equal(a.onMessage(r2, 521), {}, 'duplicate packet 2');
  assert.equal(a.onMessage(p2, 522), {}, 'the reply to exchange 1, overtaken by exchange 2, is stale');
  const forged = a.onTimer(1520).send!;
  assert.equal(forged, { type: 'sync1', id: 3, t1: 1520 });
  const answer = b.onMessage(forged, 1530).send as Extract<MediaMessage, { type: 'sync2' }>;
  assert.equal(a.onMessage({ ...answer, t1: 1000 }, 1540), {}, 'a reply whose t1 is not the one sent is refused (origin check)');
  assert.is(a.onMessage(answer, 1540).sample?.rttMs, 20);
  assert.equal(b.onMessage(done.send!, 530).sample?.rttMs, 20);
  assert.equal(b.onMessage(done.send!, 531), {}, 'duplicate packet 3');
});

test('an exchange a frozen app answered 13 s late: the best offset stays with the exchanges around it, and the retry waits twice the exchanges\' round trip, not the audio\'s', () => {
  // bob's clock reads 5000 more than alice's; 60 ms each way; after its freeze alice's delay half reads
  // 6.5 s (the audio it took in late, all at once)
  let aliceHalf = 60;
  const a = new TimeSync('alice', 'bob', CONFIG, () => aliceHalf);
  const b = new TimeSync('bob', 'alice', CONFIG, () => 60);
  const exchange = (t: number, bobAnswersAt: number, backAt: number) => {
    const p1 = a.onTimer(t).send ?? a.start(t).send!;
    return a.onMessage(b.onMessage(p1, bobAnswersAt + 5000).send!, backAt);
  };
  exchange(0, 60, 120);
  exchange(1120, 1180, 1240);
  // alice's packet 1 left at 2240 and bob answered at once, but alice was frozen until 15 500
  aliceHalf = 6500;
  const frozen = exchange(2240, 2300, 15_500);
  assert.equal([frozen.sample?.rttMs, frozen.sample?.offsetMs], [13_260, 5000 - (15_500 - 2360) / 2]);
  assert.is(a.bestOffsetMs, 5000, 'the 120 ms exchanges bound the offset to 60 ms; the frozen one to 6.6 s');
  // the next exchange: its retry waits twice the exchanges' mean (4500 ms, capped at 3 s), not twice the 6.6 s the halves add up to
  assert.is(a.deadline, 16_500);
  a.onTimer(16_500);
  assert.is(a.deadline, 16_500 + 3000);
  exchange(17_000, 17_060, 17_120);
  assert.is(a.bestOffsetMs, 5000);
});

test('a peer that starts its exchanges afresh (it restarted, or rejoined unnoticed) is answered at once, though it counts from 1 again', () => {
  const b = new TimeSync('b', 'a', CONFIG);
  let a = new TimeSync('a', 'b', CONFIG);
  let t = 0;
  for (let k = 0; k < 10; k++, t += 1000) {
    const done = a.onMessage(b.onMessage(a.onTimer(t).send ?? a.start(t).send!, t + 10).send!, t + 20);
    b.onMessage(done.send!, t + 30);
  }
  a = new TimeSync('a', 'b', CONFIG); // a's session is new; b's is the one it had
  const p1 = a.start(t).send!;
  assert.equal(p1, { type: 'sync1', id: 1, t1: t });
  const answer = b.onMessage(p1, t + 10).send!;
  assert.is(answer.type, 'sync2', 'exchange 1 of the new session is answered, though b answered exchanges up to 10');
  assert.is(a.onMessage(answer, t + 20).sample?.rttMs, 20);
  assert.equal(b.onMessage(p1, t + 11), {}, 'its duplicate is not');
  // a stale packet 1 from long before is answered too, and the origin check refuses the answer
  const stale = b.onMessage({ type: 'sync1', id: 5, t1: 4000 }, t + 40).send!;
  assert.equal(a.onMessage(stale, t + 50), {});
});

test('a path slower than the retry still measures: a late reply completes its exchange with its true round trip, and the retry then waits twice the round trip', () => {
  const a = new TimeSync('a', 'b', CONFIG);
  const b = new TimeSync('b', 'a', CONFIG);
  // 650 ms each way: packet 2 of exchange 1 comes back after the 500 ms retry started exchange 2
  const p1 = a.start(0).send!;
  const retry = a.onTimer(500).send!;
  assert.equal(retry, { type: 'sync1', id: 2, t1: 500 });
  const p2 = b.onMessage(p1, 650).send!;
  const r2 = b.onMessage(retry, 1150).send!;
  const first = a.onMessage(p2, 1300);
  assert.equal(first.sample?.rttMs, 1300, 'exchange 1 completes late, with its true round trip');
  assert.is(a.onMessage(r2, 1800).sample?.rttMs, 1300, 'exchange 2 was sent before exchange 1 completed: its reply counts too');
  assert.is(b.onMessage(first.send!, 1950).sample?.rttMs, 1300, 'packet 3 of an older answer still gives bob his sample');
  // the next exchange starts an interval after the last completion; its retry waits 2 × 1300 ms
  assert.is(a.deadline, 2800);
  a.onTimer(2800);
  assert.is(a.deadline, 2800 + 2600);
});

test('delay halves: each end hands the other its half in every packet; their sum is the estimate while both are known and fresh, else the exchanges\' mean', () => {
  let aliceHalf: number | undefined = 30;
  const a = new TimeSync('alice', 'bob', CONFIG, () => aliceHalf);
  const b = new TimeSync('bob', 'alice', CONFIG, () => 52.5);
  const p1 = a.start(1000).send!;
  assert.equal(p1, { type: 'sync1', id: 1, t1: 1000, half: 30 });
  const p2 = b.onMessage(p1, 5030).send!;
  assert.equal(p2, { type: 'sync2', id: 1, t1: 1000, t2: 5030, t3: 5030, half: 52.5 });
  const atA = a.onMessage(p2, 1080);
  assert.is(atA.sample?.rttMs, 80, 'the exchange itself is unchanged');
  assert.is(a.roundTripMs(1080), 82.5, 'alice: her half and bob\'s');
  assert.is(b.roundTripMs(5030), 82.5, 'bob: his half and alice\'s from packet 1');
  // alice stops having a half (her audio or bob's stopped): she falls back, and bob does at her next packet
  aliceHalf = undefined;
  assert.is(a.roundTripMs(1080), 80);
  assert.is(b.onMessage(atA.send!, 5110).sample?.rttMs, 80, 'packet 3 was built while she still had a half');
  assert.is(b.roundTripMs(5110), 82.5);
  b.onMessage(a.onTimer(2080).send!, 6030);
  assert.is(b.roundTripMs(6030), 80, 'a packet without a half withdraws the last one');
  // a stale half: no packet from the peer for a whole window of exchanges (5 × 1 s)
  const c = new TimeSync('carol', 'dave', CONFIG, () => 10);
  const d = new TimeSync('dave', 'carol', CONFIG, () => 15);
  c.onMessage(d.onMessage(c.start(0).send!, 10).send!, 20);
  assert.equal([c.roundTripMs(20), c.roundTripMs(5020), c.roundTripMs(5021)], [25, 25, 20], 'fresh for 5 s, then the exchanges\' own 20 ms');
  // a forged packet's half is never taken: the origin check refuses the whole packet
  const e = new TimeSync('erin', 'finn', CONFIG, () => 0);
  const sent = e.start(0).send as Extract<MediaMessage, { type: 'sync1' }>;
  e.onMessage({ type: 'sync2', id: sent.id, t1: sent.t1 + 1, t2: 0, t3: 0, half: 999 }, 5);
  assert.is(e.roundTripMs(5), undefined);
});

test('media codec: round trip, and every malformed packet refused with a typed error', () => {
  const messages: MediaMessage[] = [
    { type: 'sync1', id: 7, t1: 12.5 },
    { type: 'sync2', id: 7, t1: 12.5, t2: -3, t3: 4 },
    { type: 'sync3', id: 4294967295, t3: 1, t4: 2, t5: 3 },
    { type: 'sync1', id: 8, t1: 12.5, half: -7.25 },
    { type: 'sync2', id: 8, t1: 12.5, t2: -3, t3: 4, half: 0 },
    { type: 'sync3', id: 8, t3: 1, t4: 2, t5: 3, half: 1e6 },
    { type: 'audio', seq: 42, stream: 7, mediaMs: 840 },
  ];
  for (const m of messages) assert.equal(decodeMedia(encodeMedia(m)), { ok: true, message: m });
  const audio = encodeMedia({ type: 'audio', seq: 1, stream: 7, mediaMs: 20 });
  const code = (bytes: Uint8Array) => {
    const r = decodeMedia(bytes);
    return r.ok ? 'ok' : r.error.code;
  };
  assert.is(code(new Uint8Array(0)), 'bad-length');
  assert.is(code(audio.slice(0, 10)), 'bad-length');
  assert.is(code(Uint8Array.of(9, ...audio.slice(1))), 'unknown-kind');
  for (let bit = 8; bit < audio.length * 8; bit++) {
    const flipped = audio.slice();
    flipped[bit >> 3]! ^= 1 << (bit & 7);
    assert.is(code(flipped), 'checksum', `bit ${bit}`);
  }
  const infinite = encodeMedia({ type: 'audio', seq: 1, stream: 7, mediaMs: Infinity });
  assert.is(code(infinite), 'out-of-range');
  assert.is(code(encodeMedia({ type: 'sync2', id: 1, t1: 0, t2: NaN, t3: 0 })), 'out-of-range', 'a time must be finite');
  assert.is(code(encodeMedia({ type: 'sync3', id: 1, t3: 0, t4: 0, t5: 0, half: -Infinity })), 'out-of-range', 'a half is finite or absent');
  assert.equal(decodeMedia(encodeMedia({ type: 'sync1', id: 1, t1: 0, half: NaN })), { ok: true, message: { type: 'sync1', id: 1, t1: 0 } }, 'NaN on the wire: no half');
  assert.is(code(encodeMedia({ type: 'audio', seq: 1, stream: 7, mediaMs: -20 })), 'ok', 'a media clock may read below zero (clock offsets)');
});

/** Two nodes that run only the time sync, over the simulator's media link, and report their samples. */
function syncOnSimulator(network: LinkOverrides, seconds: number, clocks: { offsetMs: number; driftPpm: number }[], aliceToBob?: LinkOverrides) {
  const samples: Record<string, SyncSample[]> = { alice: [], bob: [] };
  const protocol: Protocol<never, never> = {
    name: 'sync-only',
    create: ({ id }) => {
      const peer = id === 'alice' ? 'bob' : 'alice';
      const sync = new TimeSync(id, peer, CONFIG);
      const out: NodeOutput<never>[] = [];
      const step = (s: { send?: MediaMessage; sample?: SyncSample }) => {
        if (s.send) out.push({ type: 'send', to: peer, channel: 'media', bytes: encodeMedia(s.send) });
        if (s.sample) samples[id]!.push(s.sample);
        if (sync.deadline !== Infinity) out.push({ type: 'setTimer', timer: 'sync', at: sync.deadline });
      };
      return {
        handle: (input) => {
          if (input.type === 'start') step(sync.start(input.now));
          else if (input.type === 'timer') step(sync.onTimer(input.now));
          else if (input.type === 'receive') {
            const decoded = decodeMedia(input.bytes);
            if (!decoded.ok) return { ok: false, error: decoded.error };
            step(sync.onMessage(decoded.message, input.now));
          }
          return OK;
        },
        pollOutput: () => out.shift(),
      };
    },
  };
  const world = new World<never, never>({ seed: 3, network });
  world.addNode('alice', protocol, { clock: clocks[0]! });
  world.addNode('bob', protocol, { clock: clocks[1]! });
  if (aliceToBob) world.setLink('alice', 'bob', aliceToBob, { channel: 'media' });
  world.runUntil(seconds * 1000);
  return samples;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

const SKEWED = [
  { offsetMs: 123_456, driftPpm: 200 },
  { offsetMs: -9_999, driftPpm: -300 },
];

test('without jitter the round trip is exact to 1 ms, with skewed, drifting clocks; the offset too on a symmetric path', () => {
  const samples = syncOnSimulator({ delayMs: 40 }, 30, SKEWED);
  for (const side of ['alice', 'bob']) {
    assert.ok(samples[side]!.length >= 25, `${side}: ${samples[side]!.length} samples`);
    for (const s of samples[side]!) assert.ok(Math.abs(s.rttMs - 80) <= 1, `${side} measured ${s.rttMs}`);
  }
  const first = samples['alice']![0]!;
  assert.ok(Math.abs(first.offsetMs - (-9_999 - 123_456)) < 1, `offset ${first.offsetMs}`);
});

test('on an asymmetric path (10 ms there, 70 ms back) the round trip stays exact; the offset is off by half the asymmetry', () => {
  const samples = syncOnSimulator({ delayMs: 70 }, 10, SKEWED, { delayMs: 10 });
  for (const s of [...samples['alice']!, ...samples['bob']!]) assert.ok(Math.abs(s.rttMs - 80) <= 1, `measured ${s.rttMs}`);
  const first = samples['alice']![0]!;
  assert.ok(Math.abs(first.offsetMs - (-9_999 - 123_456) - (10 - 70) / 2) < 1, `offset ${first.offsetMs}`);
});

test('with jitter, loss, duplication and reordering the median round trip is within 10 % of the true mean', () => {
  const network: LinkOverrides = { delayMs: 60, jitterMs: 15, distribution: 'normal', loss: { model: 'random', p: 0.1 }, duplicate: 0.1, reorder: 0.05 };
  const samples = syncOnSimulator(network, 120, [{ offsetMs: 5000, driftPpm: 100 }, { offsetMs: 0, driftPpm: 0 }]);
  for (const side of ['alice', 'bob']) {
    const rtts = samples[side]!.map((s) => s.rttMs);
    assert.ok(rtts.length >= 60, `${side}: ${rtts.length} samples`);
    const error = Math.abs(median(rtts) - 120) / 120;
    assert.ok(error <= 0.1, `${side}: median ${median(rtts).toFixed(1)} ms vs true mean 120 ms (${(error * 100).toFixed(1)} %)`);
  }
});

test('a clock stepped by a second, forward or back, in a call: the round trip is exact to 1 ms again once an exchange saw the step (the halves rest, the exchange the step fell into is dropped)', () => {
  for (const stepMs of [1000, -1000]) {
    const session = new Session(['alice', 'bob'], { protocol: callProtocol(), network: { delayMs: 40 }, seed: 1 });
    session.script([[0, 'alice', { type: 'dial', peers: ['bob'] }], [1000, 'bob', { type: 'join', call: 'c1' }], [10_000, 'bob', { type: 'clock', offsetMs: stepMs }]]);
    for (let t = 5000; t <= 20_000; t += 250) {
      session.until(t);
      if (t >= 10_000 && t < 10_500) continue; // until an exchange (every 250 ms) completes across the step
      for (const node of ['alice', 'bob']) {
        const rtt = session.media(node)[0]?.rttMs;
        assert.ok(rtt !== undefined && Math.abs(rtt - 80) <= 1, `step ${stepMs}: ${node} at ${t}: ${rtt}`);
      }
    }
  }
});

test('ground truth: on every preset network, stalls included, the estimate is within 2 % (median) of the true mean round trip the simulator measured (goal 10 %)', () => {
  const errors: Record<string, number> = {};
  for (const preset of PRESETS) {
    const rtt = callRoundTripError(preset.name, 1, 60)!;
    assert.ok(rtt.samples >= 100, `${preset.name}: ${rtt.samples} samples`);
    errors[preset.name] = rtt.medianErrorPercent;
  }
  assert.is(errors['perfect'], 0);
  // the audio's delay halves: every frame each way, where the exchanges alone (4 a second) read 10.7 %
  // on wifi-stall, whose mean is made by the 20 frames a stall holds
  assert.equal(Object.entries(errors).filter(([, e]) => e > 2), [], JSON.stringify(errors));
});

test('a call\'s round trip without jitter is exact to 1 ms with skewed, drifting clocks on an asymmetric path, from the halves and, one end muted, from the exchanges', () => {
  for (const muted of [false, true]) {
    const session = new Session(['alice', 'bob'], {
      protocol: callProtocol(),
      network: { delayMs: 70 },
      links: [{ from: 'alice', to: 'bob', settings: { delayMs: 10 }, channel: 'media' }],
      clocks: { alice: SKEWED[0]!, bob: SKEWED[1]! },
      seed: 1,
    });
    session.script([[0, 'alice', { type: 'dial', peers: ['bob'] }], [1000, 'bob', { type: 'join', call: 'c1' }], ...(muted ? ([[1000, 'bob', { type: 'mute', muted: true }]] as const) : [])]);
    for (let t = 8000; t <= 20_000; t += 4000) {
      session.until(t);
      for (const node of ['alice', 'bob']) {
        const rtt = session.media(node)[0]?.rttMs;
        assert.ok(rtt !== undefined && Math.abs(rtt - 80) <= 1, `${muted ? 'bob muted, ' : ''}${node} at ${t}: ${rtt}`);
      }
    }
  }
});

test('the clock offset reaches the playout: with clocks 133 s apart, each stream is played 30 ms (the path) plus its buffering after capture', () => {
  const session = new Session(['alice', 'bob'], { protocol: callProtocol(), network: { delayMs: 30 }, clocks: { alice: SKEWED[0]!, bob: SKEWED[1]! }, seed: 1 });
  session.script([[0, 'alice', { type: 'dial', peers: ['bob'] }], [1000, 'bob', { type: 'join', call: 'c1' }]]);
  session.until(20_000);
  const delays = ['alice', 'bob'].map((node) => Math.round((session.media(node)[0]!.stats as PlayoutStats).meanPlayoutDelayMs));
  // capture to playout: 30 ms on the path, then up to a tick until the next playout, and the buffering
  assert.ok(delays.every((d) => d >= 30 && d <= 70), `mean playout delays ${delays.join(', ')} ms`);
});

test('an app frozen for 13 s (or for 150 ms, on a path of 400 ms), early in a call or later, initiator or responder: every clock offset a controller gets is the true one (no exchange that spans the freeze counts)', () => {
  const truth = -9_999 - 123_456; // bob's clock minus alice's: alice's controller gets it, bob's its negative
  const runs = [
    ...[1010, 1100, 3000].map((at) => ({ at, freezeMs: 13_000, delayMs: 30 })),
    // shorter than the path: replies to the exchanges in flight come after the thaw, not in its backlog
    ...[1500, 1700, 1900].map((at) => ({ at, freezeMs: 150, delayMs: 400 })),
  ];
  for (const frozen of ['alice', 'bob']) {
    for (const { at, freezeMs, delayMs } of runs) {
      const errors: number[] = [];
      const recording: PlayoutAlgorithm = {
        name: 'recording',
        create: () => {
          const c = callsimPlayout();
          const handle = (input: PlayoutInput) => {
            if (input.type === 'timeSync' && input.clockOffsetMs !== undefined) errors.push(Math.abs(Math.abs(input.clockOffsetMs) - Math.abs(truth)));
            c.handle(input);
          };
          return { algorithm: 'recording', handle, pollOutput: () => c.pollOutput(), stats: () => c.stats(), targetDelayMs: () => c.targetDelayMs() };
        },
      };
      const session = new Session(['alice', 'bob'], { protocol: callProtocol({ playout: 'recording' }, [recording]), network: { delayMs }, clocks: { alice: { offsetMs: 123_456 }, bob: { offsetMs: -9_999 } }, seed: 1 });
      session.script([[0, 'alice', { type: 'dial', peers: ['bob'] }], [1000, 'bob', { type: 'join', call: 'c1' }], [at, frozen, { type: 'pause' }], [at + freezeMs, frozen, { type: 'resume' }]]);
      session.until(30_000);
      assert.ok(errors.length > 40 && Math.max(...errors) < 1e-6, `${frozen} frozen ${freezeMs} ms at ${at}: ${errors.length} offsets, worst ${Math.max(...errors)} ms off`);
    }
  }
});

test.run();
