/**
 * The reference call protocol as a plug-in for any driver of the contract (the simulator, the real
 * transport): `callProtocol(config)` makes nodes; `describe` labels wire messages in traces.
 */
import type { CallCommand, CallEvent } from './api.ts';
import type { ProtocolConfig } from './config.ts';
import type { Protocol } from './contract.ts';
import { CallNode } from './node.ts';
import { describeMessage } from './wire.ts';

export type * from './api.ts';
export { DEFAULT_PROTOCOL_CONFIG, resolveConfig, type ProtocolConfig } from './config.ts';
export { CallNode } from './node.ts';
export { decodeMessage, encodeMessage, describeMessage, WIRE_VERSION, type CallId, type CallInfo, type CodecError, type CodecErrorCode, type MemberStatus, type Register, type WireMessage } from './wire.ts';

/** The reference protocol with the given constants (defaults in config.ts). */
export function callProtocol(config: Partial<ProtocolConfig> = {}): Protocol<CallCommand, CallEvent> {
  return {
    name: 'callsim',
    create: (context) => new CallNode(context, config),
    describe: describeMessage,
  };
}
