/**
 * An example of bringing your own playout controller: "recent-max" plays every frame as late as the
 * slowest packet of the last 2 seconds (plus half a frame), and warns when a packet comes in later
 * than that. It is a `PlayoutPolicy` on the shared `JitterBuffer`, which does the bookkeeping (the
 * queue, late and lost frames, the webrtc-stats counters): a policy only decides, each tick, whether
 * the next frame plays (ADVANCE), waits (HOLD) or frames are dropped to catch up (drop(n)).
 *
 *   npm run sim -- run wifi-stall-burst --playout examples/playout-recent-max.ts
 *   npm run bench -- playout --playout examples/playout-recent-max.ts
 *
 * A module's default export is a `PlayoutAlgorithm` ({ name, create }) or a function returning a
 * `PlayoutController`; `create` is called once per incoming stream.
 */
import { ADVANCE, drop, FRAME_MS, HOLD, JitterBuffer, type ArrivalNote, type BufferView, type PlayoutAlgorithm, type PlayoutEvent, type PlayoutPolicy, type TickPlan } from '../protocol/media/index.ts';

/** How far back the slowest packet is looked for (ms). */
const SPAN_MS = 2000;

/** The policy: the largest relative delay (arrival − media time) of the last `SPAN_MS` sets the playout offset. */
class RecentMaxPolicy implements PlayoutPolicy {
  readonly name = 'recent-max';
  readonly capacityPackets = 250;
  /** Arrival times and relative delays of the last `SPAN_MS`, oldest first. */
  private readonly recent: { at: number; r: number }[] = [];
  private readonly events: PlayoutEvent[] = [];
  private lastWarning = -Infinity;

  arrived(_view: BufferView, note: ArrivalNote): void {
    const r = note.now - note.mediaMs;
    const target = this.target();
    if (this.recent.length >= 10 && r > target + FRAME_MS && note.now - this.lastWarning > 1000) {
      this.lastWarning = note.now;
      this.events.push({ type: 'degradationLikely', now: note.now, cause: 'delay-rising' });
    }
    this.recent.push({ at: note.now, r });
    while (this.recent[0]!.at < note.now - SPAN_MS) this.recent.shift();
  }

  timeSynced(): void {}

  decide(view: BufferView): TickPlan {
    const offset = view.now - view.mediaOf(view.cursor!); // how late the next frame plays if it plays now
    const target = this.target();
    if (!view.started) return offset >= target && view.frame(view.cursor!) !== undefined ? ADVANCE : HOLD;
    if (offset < target - FRAME_MS / 2) return HOLD; // wait a frame (stretch, or expand if it is missing)
    const excess = Math.floor((offset - target) / FRAME_MS);
    return excess >= 2 && view.frame(view.cursor! + excess) !== undefined ? drop(excess) : ADVANCE;
  }

  ticked(): void {}

  targetDelayMs(): number {
    if (this.recent.length === 0) return 0;
    return this.target() - Math.min(...this.recent.map((s) => s.r));
  }

  pollEvent(): PlayoutEvent | undefined {
    return this.events.shift();
  }

  /** The playout offset aimed for: the slowest recent packet, plus half a frame. */
  private target(): number {
    return this.recent.reduce((m, s) => Math.max(m, s.r), -Infinity) + FRAME_MS / 2;
  }
}

/** The algorithm: a name for tables and reports, and a fresh controller for each incoming stream. */
const recentMax: PlayoutAlgorithm = { name: 'recent-max', create: () => new JitterBuffer(new RecentMaxPolicy()) };

export default recentMax;
