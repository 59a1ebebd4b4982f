/**
 * `fake-timers`: the media stream (bench/media-stream.ts) as a TypeScript user would first write it,
 * on a @sinonjs/fake-timers clock instead of the simulator. The sender is a `setTimeout` loop every
 * `SEND_INTERVAL_MS` sending `PACKETS_PER_TICK` packets; each packet that survives the loss draw becomes a `setTimeout` for its delivery,
 * with the same delay distribution drawn from the same kind of seeded streams; the receiver counts.
 * `clock.tick` (synchronous) advances the clock. Events are timer callbacks fired. Note fake-timers
 * truncates each delay to whole milliseconds, as real timers do.
 */
import { withGlobal } from '@sinonjs/fake-timers';
import { delaySample } from '../sim/distributions.ts';
import { RandomStreams } from '../sim/random.ts';
import type { BenchCase, RunCounts, Workload } from './harness.ts';
import { MEDIA_LINK, PACKETS_PER_TICK, payload, SEED, SEND_INTERVAL_MS } from './media-stream.ts';

const timers = withGlobal(globalThis);

/** Run the media stream for `simulatedMs` on a fresh fake clock. */
export function runFakeTimers(simulatedMs: number): RunCounts {
  const clock = timers.createClock(0);
  const streams = new RandomStreams(SEED);
  const delayStream = streams.stream('delay');
  const lossStream = streams.stream('loss');
  const { delayMs, jitterMs, distribution, loss } = MEDIA_LINK;
  let fired = 0;
  let received = 0;
  let seq = 0;
  const deliver = (_packet: unknown): void => {
    fired++;
    received++;
  };
  const send = (): void => {
    fired++;
    for (let i = 0; i < PACKETS_PER_TICK; i++) {
      const bytes = payload(seq++);
      if (!(lossStream.nextFloat() < loss.p)) {
        clock.setTimeout(deliver, delaySample(distribution, delayMs, jitterMs, delayStream.nextFloat()), bytes);
      }
    }
    clock.setTimeout(send, SEND_INTERVAL_MS);
  };
  clock.setTimeout(send, SEND_INTERVAL_MS);
  clock.tick(simulatedMs);
  return { events: fired, packets: received, simulatedMs };
}

const fakeTimersCase: BenchCase = { name: 'fake-timers', unit: 'simulated ms', initialSize: 200, run: runFakeTimers };

/** The `fake-timers` workload. */
export const fakeTimers: Workload = {
  name: 'fake-timers',
  summary: 'the same media stream on @sinonjs/fake-timers (setTimeout + clock.tick)',
  byDefault: true,
  cases: [fakeTimersCase],
};
