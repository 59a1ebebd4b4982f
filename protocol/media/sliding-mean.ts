/**
 * The plain mean of the samples of the last `spanMs`: the audio's mean delays behind the time sync's
 * delay halves.
 *
 * Theory of operation: a `SampleQueue` of (time, value) with a running sum; a sample counts fully for
 * exactly the span and then not at all. The sum is taken afresh from the queue whenever it empties to
 * one sample, so rounding never accumulates across a call.
 */
import type { Millis } from '../contract.ts';
import { SampleQueue } from './sample-queue.ts';

/** A sliding-window mean of timed samples. */
export class SlidingMean {
  private readonly samples = new SampleQueue();
  private sum = 0;

  /** A mean over the last `spanMs` (ms). */
  constructor(readonly spanMs: Millis) {}

  /** Add `value`, taken at `at` (times in order). */
  add(at: Millis, value: number): void {
    this.expire(at);
    this.samples.push(at, value);
    this.sum = this.samples.length === 1 ? value : this.sum + value;
  }

  /** The mean of the samples taken after `now − spanMs`; undefined when there are none. */
  mean(now: Millis): number | undefined {
    this.expire(now);
    return this.samples.length === 0 ? undefined : this.sum / this.samples.length;
  }

  /** Forget every sample. */
  clear(): void {
    this.samples.clear();
    this.sum = 0;
  }

  private expire(now: Millis): void {
    const samples = this.samples;
    while (samples.length > 0 && samples.timeAt(0) <= now - this.spanMs) {
      this.sum -= samples.valueAt(0);
      samples.shift();
    }
  }
}
