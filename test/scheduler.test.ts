import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Scheduler } from '../sim/scheduler.ts';

const test = suite('scheduler: virtual time and one event queue');

test('jumps from event to event in time order; same-instant events run in scheduling order', () => {
  const s = new Scheduler();
  const log: string[] = [];
  const note = (x: string) => log.push(`${s.now}:${x}`);
  s.schedule(30, note, 'c');
  s.schedule(10, note, 'a1');
  s.schedule(20, note, 'b');
  s.schedule(10, note, 'a2');
  s.schedule(10, (x: string) => { note(x); s.schedule(10, note, 'a4'); }, 'a3');
  assert.equal(s.runUntilIdle(), { status: 'idle', events: 6, now: 30, nextAt: undefined });
  assert.equal(log, ['10:a1', '10:a2', '10:a3', '10:a4', '20:b', '30:c']);
});

test('step runs exactly one event; runUntil stops the clock at the bound', () => {
  const s = new Scheduler();
  const log: number[] = [];
  for (const t of [5, 15, 25]) s.schedule(t, (x: number) => log.push(x), t);
  assert.ok(s.step());
  assert.equal([s.now, log], [5, [5]]);
  assert.is(s.runUntil(20), 1);
  assert.equal([s.now, log, s.pending, s.nextAt], [20, [5, 15], 1, 25]);
  assert.is(s.runUntil(20), 0);
  s.runUntil(100);
  assert.equal([s.now, s.step()], [100, false]);
});

test('runUntilIdle reports a livelock instead of spinning', () => {
  const s = new Scheduler();
  const tick = () => s.after(1, tick, undefined);
  s.schedule(0, tick, undefined);
  const result = s.runUntilIdle(1000);
  assert.equal(result, { status: 'budget', events: 1000, now: 999, nextAt: 1000 });
});

test('refuses to schedule in the past', () => {
  const s = new Scheduler();
  s.runUntil(10);
  assert.throws(() => s.schedule(9, () => {}, 0), /cannot schedule at 9: now is 10/);
  assert.throws(() => s.schedule(NaN, () => {}, 0), /cannot schedule/);
});

test('a large random workload comes out sorted by (time, sequence)', () => {
  const s = new Scheduler();
  const out: [number, number][] = [];
  let x = 12345;
  for (let i = 0; i < 20000; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    s.schedule(x % 500, (arg: [number, number]) => out.push(arg), [x % 500, i]);
  }
  s.runUntilIdle();
  for (let i = 1; i < out.length; i++) {
    const [ta, ia] = out[i - 1]!;
    const [tb, ib] = out[i]!;
    assert.ok(ta < tb || (ta === tb && ia < ib), `order broken at ${i}`);
  }
});

test.run();
