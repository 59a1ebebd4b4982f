/**
 * A protocol module for CLI tests (`--protocol test/support/never-ending-direct-calls.ts`): the reference
 * protocol with one bug, a direct call that never ends when the other side leaves (R6).
 */
import type { NodeContext } from '../../protocol/contract.ts';
import { RULES } from '../../protocol/call-record.ts';
import { CallNode, describeMessage, type ProtocolConfig } from '../../protocol/index.ts';

class NeverEnding extends CallNode {
  constructor(context: NodeContext, config: Partial<ProtocolConfig> | undefined) {
    super(context, config);
    this.rules = { ...RULES, hasEnded: () => false };
  }
}

export default (config: Partial<ProtocolConfig> | undefined) => ({
  name: 'never-ending-direct-calls',
  create: (context: NodeContext) => new NeverEnding(context, config),
  describe: describeMessage,
});
