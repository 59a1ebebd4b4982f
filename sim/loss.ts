/**
 * Packet loss processes: netem's random and Gilbert-Elliott models and libwebrtc's burst model.
 *
 * Theory of operation: a `LossProcess` is asked once per packet, in send order, whether that packet is
 * lost. It holds the Markov state between calls and draws only from its own stream.
 * - random: lost when a (netem-correlated) uniform falls below p.
 * - gemodel (netem): the loss draw uses the state the packet finds (good: 1−k, bad: 1−h), then the
 *   state moves (good→bad with p, bad→good with r). Steady-state loss = p/(p+r)·(1−h) + r/(p+r)·(1−k);
 *   with 1−h = 1 and 1−k = 0 a loss burst lasts 1/r packets on average.
 * - burst (libwebrtc SimulatedNetwork): a packet is lost exactly when the chain is in the bursting
 *   state after its transition: stay bursting with 1 − 1/L, start bursting with (q/(1−q))/L. Steady-state
 *   loss q, mean burst L.
 * Changing the model mid-run (`World.setLink`) makes a new process that starts in the good state.
 */
import { CorrelatedUniform } from './distributions.ts';
import { geParameters, type LossModel } from './link-config.ts';
import type { RandomStream } from './random.ts';

/** Decides, packet by packet, which packets a link loses. */
export interface LossProcess {
  /** True when the next packet is lost. */
  lost(): boolean;
}

/** A loss process for `model`, drawing from `stream`. */
export function makeLossProcess(model: LossModel, stream: RandomStream): LossProcess {
  switch (model.model) {
    case 'none':
      return { lost: () => false };
    case 'random': {
      const u = new CorrelatedUniform(stream, model.correlation ?? 0);
      const p = model.p;
      return { lost: () => p > 0 && u.next() < p };
    }
    case 'gemodel':
      return new GilbertElliott(stream, geParameters(model));
    case 'burst':
      return new BurstLoss(stream, model.rate, model.meanBurstLength);
  }
}

class GilbertElliott implements LossProcess {
  private bad = false;
  constructor(
    private readonly stream: RandomStream,
    private readonly k: { p: number; r: number; lossInBad: number; lossInGood: number },
  ) {}

  lost(): boolean {
    const { stream, k } = this;
    const lost = stream.chance(this.bad ? k.lossInBad : k.lossInGood);
    if (this.bad) {
      if (stream.chance(k.r)) this.bad = false;
    } else if (stream.chance(k.p)) {
      this.bad = true;
    }
    return lost;
  }
}

class BurstLoss implements LossProcess {
  private bursting = false;
  private readonly stay: number;
  private readonly start: number;
  constructor(
    private readonly stream: RandomStream,
    rate: number,
    meanBurstLength: number,
  ) {
    this.stay = 1 - 1 / meanBurstLength;
    this.start = rate / (1 - rate) / meanBurstLength;
  }

  lost(): boolean {
    const u = this.stream.nextFloat();
    this.bursting = this.bursting ? u < this.stay : u < this.start;
    return this.bursting;
  }
}
