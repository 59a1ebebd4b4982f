/**
 * A busy simulated run for determinism checks: five probing nodes on an impaired network (loss,
 * duplication, corruption, reordering, slots, stalls, capacity) with every kind of fault scripted.
 * `print-hash.ts` runs it in a separate process.
 */
import { probeProtocol, type ProbeCommand, type ProbeEvent } from '../../scenarios/probe-protocol.ts';
import { TraceHasher, World, type TraceSink } from '../../sim/index.ts';

/** Run the busy world with `seed` (optionally with extra sinks) and return its trace hash and event count. */
export function busyWorld(seed: number, sinks: TraceSink[] = []): { hash: string; events: number } {
  const hasher = new TraceHasher();
  const world = new World<ProbeCommand, ProbeEvent>({
    seed,
    network: {
      delayMs: 30,
      jitterMs: 20,
      distribution: 'paretonormal',
      delayCorrelation: 0.25,
      loss: { model: 'gemodel', p: 0.05, r: 0.4 },
      duplicate: 0.05,
      corrupt: 0.05,
      reorder: 0.1,
      reorderGap: 3,
      rateKbps: 100,
      queuePackets: 8,
    },
    media: { delayMs: 10, jitterMs: 5, slot: { minMs: 5, maxMs: 20, packets: 3 }, stall: { meanIntervalMs: 300, meanDurationMs: 80 } },
    trace: [hasher, ...sinks],
  });
  const ids = ['ann', 'ben', 'cat', 'dan', 'eve'];
  for (const id of ids) world.addNode(id, probeProtocol);
  ids.forEach((id, i) => {
    const to = ids[(i + 1) % ids.length]!;
    world.at(i * 3, (w) => w.command(id, { type: 'probe', to, count: 60, everyMs: 7, channel: i % 2 ? 'media' : 'signaling' }));
  });
  world.at(100, (w) => w.partition(['ann', 'ben'], ['cat']));
  world.at(150, (w) => w.hold('dan', 'eve'));
  world.at(180, (w) => w.crash('cat'));
  world.at(200, (w) => w.setClock('eve', { offsetMs: 1234, driftPpm: 250 }));
  world.at(220, (w) => w.pause('ann'));
  world.at(260, (w) => w.release('dan', 'eve'));
  world.at(300, (w) => w.heal());
  world.at(310, (w) => w.restart('cat'));
  world.at(330, (w) => w.resume('ann'));
  world.at(350, (w) => w.setLink('ben', 'cat', '3g', { bothWays: true }));
  world.runUntilIdle();
  return { hash: hasher.digest(), events: hasher.events };
}
