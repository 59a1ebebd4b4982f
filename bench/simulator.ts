/**
 * `simulator`: the real `World` moving the media stream (bench/media-stream.ts) between two nodes that
 * implement the driving contract. The sender arms a timer every `SEND_INTERVAL_MS` and sends
 * `PACKETS_PER_TICK` packets on the media channel at each firing; the receiver counts what arrives. Measured twice: with no trace
 * sink (the world builds no trace events at all) and with a `TraceHasher` (every event encoded and
 * hashed, as a fuzz run that checks determinism does). Events are `world.scheduler.eventsRun`.
 */
import { OK, type NodeInput, type NodeOutput, type Outcome, type PeerId, type Protocol, type ProtocolNode } from '../protocol/contract.ts';
import { OutputQueue } from '../protocol/output-queue.ts';
import { TraceHasher, type TraceSink } from '../sim/trace.ts';
import { World } from '../sim/world.ts';
import type { BenchCase, RunCounts, Workload } from './harness.ts';
import { MEDIA_LINK, PACKETS_PER_TICK, payload, SEED, SEND_INTERVAL_MS } from './media-stream.ts';

const SENDER: PeerId = 'sender';
const RECEIVER: PeerId = 'receiver';
const TICK = 'tick';
const REFUSED: Outcome = { ok: false, error: { code: 'no-commands', message: 'bench nodes take no commands' } };

/** Sends `PACKETS_PER_TICK` packets to `to` every `SEND_INTERVAL_MS`, forever. */
class PacedSender implements ProtocolNode<never, never> {
  private readonly outputs = new OutputQueue<NodeOutput<never>>();
  private seq = 0;

  constructor(private readonly to: PeerId) {}

  handle(input: NodeInput<never>): Outcome {
    if (input.type === 'timer') {
      for (let i = 0; i < PACKETS_PER_TICK; i++) this.outputs.push({ type: 'send', to: this.to, channel: 'media', bytes: payload(this.seq++) });
    } else if (input.type !== 'start') {
      return REFUSED;
    }
    this.outputs.push({ type: 'setTimer', timer: TICK, at: input.now + SEND_INTERVAL_MS });
    return OK;
  }

  pollOutput(): NodeOutput<never> | undefined {
    return this.outputs.poll();
  }
}

/** Counts the packets it receives; produces no output. */
class CountingReceiver implements ProtocolNode<never, never> {
  /** Packets received so far. */
  received = 0;

  handle(input: NodeInput<never>): Outcome {
    if (input.type === 'receive') this.received++;
    return input.type === 'command' ? REFUSED : OK;
  }

  pollOutput(): undefined {
    return undefined;
  }
}

function protocol(name: string, create: () => ProtocolNode<never, never>): Protocol<never, never> {
  return { name, create };
}

/** Run the media stream for `simulatedMs` in a fresh world with the given trace sinks. */
export function runSimulator(simulatedMs: number, trace: readonly TraceSink[] = []): RunCounts {
  const world = new World<never, never>({ seed: SEED, media: MEDIA_LINK, trace });
  const receiver = new CountingReceiver();
  world.addNode(RECEIVER, protocol('bench-receiver', () => receiver));
  world.addNode(SENDER, protocol('bench-sender', () => new PacedSender(RECEIVER)));
  world.runFor(simulatedMs);
  return { events: world.scheduler.eventsRun, packets: receiver.received, simulatedMs };
}

const plain: BenchCase = { name: 'simulator', unit: 'simulated ms', initialSize: 1_000, run: (ms) => runSimulator(ms) };

const hashed: BenchCase = {
  name: 'simulator+hash',
  unit: 'simulated ms',
  initialSize: 1_000,
  run(ms) {
    const hasher = new TraceHasher();
    return { ...runSimulator(ms, [hasher]), digest: hasher.digest() };
  },
};

/** The `simulator` workload: the media stream through `World`, untraced and hashed. */
export const simulator: Workload = {
  name: 'simulator',
  summary: `World: ${PACKETS_PER_TICK} packets/ms over 40±10 ms normal jitter, 2 % loss; no trace, then TraceHasher`,
  byDefault: true,
  cases: [plain, hashed],
};
