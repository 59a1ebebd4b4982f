/**
 * `probe`: a tiny ping-pong protocol that proves the driving contract and measures a network.
 *
 * Theory of operation: a `probe` command makes a node send `count` pings to a peer, one every
 * `everyMs`, on a channel. The peer echoes each ping as a pong; the prober emits an `rtt` event per pong
 * with the round trip measured on its own local clock. It exercises every part of the contract: sends
 * on both channels, a named timer re-armed and cancelled, events, a persisted snapshot (pongs received)
 * that survives a crash, and a strict codec that refuses corrupted bytes with a typed error. The wire
 * format is a 13-byte frame: kind (1 = ping, 2 = pong), sequence (u32), send time (f64).
 */
import { OK, type Channel, type Millis, type NodeInput, type NodeOutput, type Outcome, type PeerId, type Protocol, type ProtocolNode } from '../protocol/contract.ts';

/** Commands a probe node takes. */
export type ProbeCommand =
  | { readonly type: 'probe'; readonly to: PeerId; readonly count: number; readonly everyMs: Millis; readonly channel?: Channel }
  | { readonly type: 'stop' };

/** Events a probe node emits. */
export type ProbeEvent =
  | { readonly type: 'rtt'; readonly peer: PeerId; readonly seq: number; readonly rttMs: Millis }
  | { readonly type: 'restored'; readonly pongs: number };

const PING = 1;
const PONG = 2;
const FRAME = 13;

/** Encode one frame. */
export function encodeProbe(kind: number, seq: number, sentAt: number): Uint8Array {
  const bytes = new Uint8Array(FRAME);
  const view = new DataView(bytes.buffer);
  view.setUint8(0, kind);
  view.setUint32(1, seq);
  view.setFloat64(5, sentAt);
  return bytes;
}

/** Decode one frame, or a typed reason for refusing it. */
export function decodeProbe(bytes: Uint8Array): { kind: number; seq: number; sentAt: number } | { error: string } {
  if (bytes.length !== FRAME) return { error: 'bad-length' };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const kind = view.getUint8(0);
  if (kind !== PING && kind !== PONG) return { error: 'bad-kind' };
  const sentAt = view.getFloat64(5);
  if (!Number.isFinite(sentAt)) return { error: 'bad-time' };
  return { kind, seq: view.getUint32(1), sentAt };
}

class ProbeNode implements ProtocolNode<ProbeCommand, ProbeEvent> {
  private outputs: NodeOutput<ProbeEvent>[] = [];
  private target: { to: PeerId; channel: Channel; left: number; everyMs: Millis; seq: number } | null = null;
  private pongs = 0;

  handle(input: NodeInput<ProbeCommand>): Outcome {
    switch (input.type) {
      case 'start':
        if (input.snapshot !== undefined) {
          this.pongs = new DataView(input.snapshot.buffer, input.snapshot.byteOffset).getUint32(0);
          this.outputs.push({ type: 'event', event: { type: 'restored', pongs: this.pongs } });
        }
        return OK;
      case 'command':
        return this.command(input.command, input.now);
      case 'timer':
        this.ping(input.now);
        return OK;
      case 'receive': {
        const frame = decodeProbe(input.bytes);
        if ('error' in frame) return { ok: false, error: { code: frame.error, message: 'malformed probe frame' } };
        if (frame.kind === PING) {
          this.outputs.push({ type: 'send', to: input.from, channel: input.channel, bytes: encodeProbe(PONG, frame.seq, frame.sentAt) });
        } else {
          this.pongs++;
          this.outputs.push({ type: 'event', event: { type: 'rtt', peer: input.from, seq: frame.seq, rttMs: input.now - frame.sentAt } });
          const snapshot = new Uint8Array(4);
          new DataView(snapshot.buffer).setUint32(0, this.pongs);
          this.outputs.push({ type: 'persist', snapshot });
        }
        return OK;
      }
    }
  }

  pollOutput(): NodeOutput<ProbeEvent> | undefined {
    return this.outputs.shift();
  }

  private command(command: ProbeCommand, now: Millis): Outcome {
    if (command.type === 'stop') {
      if (this.target === null) return { ok: false, error: { code: 'not-probing', message: 'no probe running' } };
      this.target = null;
      this.outputs.push({ type: 'cancelTimer', timer: 'probeInterval' });
      return OK;
    }
    if (!(command.count > 0 && command.everyMs > 0)) return { ok: false, error: { code: 'bad-probe', message: 'count and everyMs must be > 0' } };
    this.target = { to: command.to, channel: command.channel ?? 'signaling', left: command.count, everyMs: command.everyMs, seq: 0 };
    this.ping(now);
    return OK;
  }

  private ping(now: Millis): void {
    const t = this.target;
    if (t === null) return;
    this.outputs.push({ type: 'send', to: t.to, channel: t.channel, bytes: encodeProbe(PING, t.seq++, now) });
    if (--t.left > 0) this.outputs.push({ type: 'setTimer', timer: 'probeInterval', at: now + t.everyMs });
    else this.target = null;
  }
}

/** The probe protocol plug-in. */
export const probeProtocol: Protocol<ProbeCommand, ProbeEvent> = {
  name: 'probe',
  create: () => new ProbeNode(),
  describe(bytes) {
    const frame = decodeProbe(bytes);
    return 'error' in frame ? `?${frame.error}` : `${frame.kind === PING ? 'ping' : 'pong'}#${frame.seq}`;
  },
};
