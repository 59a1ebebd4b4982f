/** A broken controller for tests: its 100th tick throws. */
import { fixedBuffer, type PlayoutAlgorithm } from '../../../protocol/media/index.ts';

/** The algorithm `throws`: a fixed buffer that throws `boom` at its 100th tick. */
const throws: PlayoutAlgorithm = {
  name: 'throws',
  create: () => {
    const inner = fixedBuffer();
    let ticks = 0;
    return {
      algorithm: 'throws',
      handle: (input) => {
        if (input.type === 'tick' && ++ticks === 100) throw new Error('boom');
        inner.handle(input);
      },
      pollOutput: () => inner.pollOutput(),
      stats: () => inner.stats(),
      targetDelayMs: () => inner.targetDelayMs(),
    };
  },
};

export default throws;
