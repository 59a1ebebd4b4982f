/**
 * The reference call protocol as a plug-in for any driver of the contract (the simulator, the real
 * transport): `callProtocol(config)` makes nodes; `describe` labels wire messages in traces.
 */
import type { CallCommand, CallEvent } from './api.ts';
import type { ProtocolConfig } from './config.ts';
import type { Protocol } from './contract.ts';
import { resolveConfig } from './config.ts';
import { PLAYOUT_ALGORITHMS, type PlayoutAlgorithm } from './media/index.ts';
import { CallNode } from './node.ts';
import { describeMessage } from './wire.ts';

export type * from './api.ts';
export { ConfigSettingError, DEFAULT_PROTOCOL_CONFIG, resolveConfig, type ProtocolConfig } from './config.ts';
export { CallNode } from './node.ts';
export { decodeMessage, encodeMessage, describeMessage, WIRE_VERSION, type CallId, type CallInfo, type CodecError, type CodecErrorCode, type MemberStatus, type Register, type WireMessage } from './wire.ts';

/**
 * The reference protocol with the given constants (defaults in config.ts); `config.playout` names one of
 * `playouts` (the lab's five by default: add your own controller there to run it in calls).
 */
export function callProtocol(config: Partial<ProtocolConfig> = {}, playouts: readonly PlayoutAlgorithm[] = PLAYOUT_ALGORITHMS): Protocol<CallCommand, CallEvent> {
  resolveConfig(config, playouts); // a bad setting is refused here, not by the first node
  return {
    name: 'callsim',
    create: (context) => new CallNode(context, config, playouts),
    describe: describeMessage,
  };
}
