/**
 * Protocol tests on the simulator: a scenario `Session` (scenarios/session.ts) running the reference
 * protocol, with the whole trace recorded. `NETWORKS` holds the two networks every requirement runs on:
 * `perfect` (a constant 10 ms) and `chaos` (20 % loss, 20 % duplication, reordering, 5 % corruption and
 * heavy jitter).
 */
import { callProtocol, encodeMessage, type ProtocolConfig, type WireMessage } from '../../protocol/index.ts';
import type { Outcome, PeerId } from '../../protocol/contract.ts';
import { Session, type Action, type Step } from '../../scenarios/session.ts';
import { TraceRecorder, type LinkOverrides } from '../../sim/index.ts';

export type { Step };

/** The networks every requirement test runs on. */
export const NETWORKS: Record<'perfect' | 'chaos', LinkOverrides> = {
  perfect: { delayMs: 10 },
  chaos: {
    delayMs: 20,
    jitterMs: 40,
    loss: { model: 'random', p: 0.2 },
    duplicate: 0.2,
    reorder: 0.1,
    reorderGap: 2,
    corrupt: 0.05,
  },
};

/** Options of a test session. */
export interface CallWorldOptions {
  readonly network: LinkOverrides;
  readonly seed?: number;
  readonly config?: Partial<ProtocolConfig>;
  readonly offline?: readonly PeerId[];
  readonly puppets?: readonly PeerId[];
}

/** A session with its whole trace. */
export type CallWorld = Session & { readonly trace: TraceRecorder };

/** Run `steps` until `end` and return the session with its trace. */
export function play(peers: readonly PeerId[], steps: readonly Step[], end: number, options: CallWorldOptions): CallWorld {
  const trace = new TraceRecorder();
  const session = new Session(peers, {
    protocol: callProtocol(options.config),
    network: options.network,
    seed: options.seed ?? 1,
    ...(options.offline ? { offline: options.offline } : {}),
    ...(options.puppets ? { puppets: options.puppets } : {}),
    trace: [trace],
  });
  return Object.assign(session.script(steps).until(end), { trace });
}

/** A puppet's step: send a hand-made wire message (built when the step runs). */
export function forge(to: PeerId, message: (session: Session) => WireMessage): Action {
  return { type: 'forge', to, bytes: (session) => encodeMessage(message(session)) };
}

/** The value of an accepted outcome (throws on a refusal, naming its code). */
export function valueOf<T>(outcome: Outcome): T {
  if (!outcome.ok) throw new Error(`refused: ${outcome.error.code}: ${outcome.error.message}`);
  return outcome.value as T;
}
