import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { burstRatio, delayImpairment, lossImpairment, mosFromR, rFactor } from '../protocol/media/emodel.ts';
import { streamQuality, type PlayoutStats } from '../protocol/media/playout-stats.ts';

const test = suite('emodel: ITU-T G.107 simplified (Cole & Rosenbluth), G.711 with PLC');

const round2 = (x: number) => Math.round(x * 100) / 100;

test('the five golden values of the reference, to 2 decimals', () => {
  const golden: [delayMs: number, lossPercent: number, r: number, mos: number][] = [
    [0, 0, 93.2, 4.41],
    [150, 1, 85.96, 4.23],
    [150, 5, 73.82, 3.77],
    [300, 2, 65.49, 3.38],
    [400, 10, 32.04, 1.7],
  ];
  const got = golden.map(([delayMs, lossPercent]) => {
    const r = rFactor({ delayMs, lossPercent });
    return [delayMs, lossPercent, round2(r), round2(mosFromR(r))];
  });
  assert.equal(got, golden);
});

test('Id: 0.024 per ms, plus 0.11 per ms past 177.3 ms', () => {
  assert.is(delayImpairment(100), 2.4);
  assert.is(round2(delayImpairment(177.3)), 4.26);
  assert.is(round2(delayImpairment(277.3)), round2(0.024 * 277.3 + 11));
  assert.is(delayImpairment(-5), 0);
});

test('Ie,eff: 0 without loss; bursty loss (BurstR > 1) costs more than random loss', () => {
  assert.is(lossImpairment(0), 0);
  assert.is(round2(lossImpairment(1)), 3.64);
  assert.ok(lossImpairment(5, 3) > lossImpairment(5, 1));
  assert.is(round2(lossImpairment(100)), round2((95 * 100) / (100 + 25.1)));
});

test('BurstR = 1 / (p + r): 1 for random loss, larger as losses cluster', () => {
  assert.is(burstRatio(0.02, 0.98), 1);
  assert.is(burstRatio(0.01, 0.24), 4);
  assert.is(burstRatio(0, 0), 1);
});

test('MOS: 1 at or below R = 0 and never under 1, 4.5 at or above R = 100', () => {
  assert.equal([mosFromR(-20), mosFromR(0), mosFromR(2), mosFromR(100), mosFromR(120)], [1, 1, 1, 4.5, 4.5]);
  assert.ok(mosFromR(2) >= 1 && mosFromR(10) > 1);
});

test('a stream: one-way delay = mean playout delay + 20 ms, loss = frames due but not played, BurstR from the pattern', () => {
  const stats = { framesDue: 1000, framesPlayed: 980, lossStarts: 5, lossEnds: 5, meanPlayoutDelayMs: 130 } as PlayoutStats;
  const q = streamQuality(stats);
  assert.equal([q.oneWayDelayMs, q.lossPercent], [150, 2]);
  // p = 5/980, r = 5/20: losses in runs of 4 on average
  assert.is(round2(q.burstR), round2(1 / (5 / 980 + 5 / 20)));
  assert.is(q.r, rFactor({ delayMs: 150, lossPercent: 2, burstR: q.burstR }));
  assert.is(streamQuality({ ...stats, framesPlayed: 1000, lossStarts: 0, lossEnds: 0 }).burstR, 1);
});

test.run();
