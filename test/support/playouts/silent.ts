/** A broken controller for tests: it never answers a tick (the interface wants one audio output per tick). */
import { fixedBuffer, type PlayoutController } from '../../../protocol/media/index.ts';

/** Controllers named `silent`: a fixed buffer whose ticks are swallowed. */
export default function silent(): PlayoutController {
  const inner = fixedBuffer();
  return {
    algorithm: 'silent',
    handle: (input) => {
      if (input.type !== 'tick') inner.handle(input);
    },
    pollOutput: () => inner.pollOutput(),
    stats: () => inner.stats(),
    targetDelayMs: () => inner.targetDelayMs(),
  };
}
