/**
 * The ITU-T G.107 E-model, simplified for VoIP by Cole & Rosenbluth (SIGCOMM CCR 2001), for G.711 with
 * packet loss concealment: a call-quality score R from the one-way mouth-to-ear delay and the packet
 * loss, and the MOS it predicts.
 *
 * Theory of operation: R = R0 − Id − Ie,eff with R0 = 93.2.
 *   Id = 0.024·d + 0.11·(d − 177.3)·H(d − 177.3), d the mouth-to-ear delay in ms (H the step function);
 *   Ie,eff = Ie + (95 − Ie)·Ppl / (Ppl / BurstR + Bpl), Ppl the loss in percent (network, late and
 *   discarded packets together), Ie = 0 and Bpl = 25.1 for G.711 with PLC, BurstR = 1 for random loss
 *   and 1 / (p + r) for a 2-state Markov loss process with p = P(loss | previous received) and
 *   r = P(received | previous lost).
 *   MOS = 1 + 0.035·R + R·(R − 60)·(100 − R)·7·10⁻⁶ for 0 < R < 100 (never below 1), 1 at or below 0,
 *   4.5 at or above 100.
 * Pure arithmetic; no state.
 */

/** R0, the basic signal-to-noise ratio of the simplified model. */
export const R0 = 93.2;

/** Where Id's second, steeper term begins (ms). */
export const DELAY_KNEE_MS = 177.3;

/** A codec's loss behaviour in the E-model: equipment impairment Ie and packet-loss robustness Bpl. */
export interface CodecImpairment {
  /** Equipment impairment factor with no loss. */
  readonly ie: number;
  /** Packet-loss robustness factor. */
  readonly bpl: number;
}

/** G.711 with packet loss concealment (G.113 Appendix I): Ie = 0, Bpl = 25.1. */
export const G711_PLC: CodecImpairment = Object.freeze({ ie: 0, bpl: 25.1 });

/** The inputs of one E-model evaluation. */
export interface EModelInput {
  /** One-way mouth-to-ear delay (ms): network one-way, playout buffer, frame and codec delay. */
  readonly delayMs: number;
  /** Packet loss in percent (0..100): network, late and discarded together. */
  readonly lossPercent: number;
  /** Burst ratio (1 for random loss; see `burstRatio`). Default 1. */
  readonly burstR?: number;
  /** The codec. Default G.711 with PLC. */
  readonly codec?: CodecImpairment;
}

/** Delay impairment Id for a mouth-to-ear delay of `delayMs`. */
export function delayImpairment(delayMs: number): number {
  const d = Math.max(0, delayMs);
  return 0.024 * d + (d > DELAY_KNEE_MS ? 0.11 * (d - DELAY_KNEE_MS) : 0);
}

/** Effective equipment impairment Ie,eff for `lossPercent` % loss with burst ratio `burstR`. */
export function lossImpairment(lossPercent: number, burstR = 1, codec: CodecImpairment = G711_PLC): number {
  const ppl = Math.min(100, Math.max(0, lossPercent));
  if (ppl === 0) return codec.ie;
  return codec.ie + ((95 - codec.ie) * ppl) / (ppl / burstR + codec.bpl);
}

/** The rating factor R. */
export function rFactor(input: EModelInput): number {
  return rating(input.delayMs, input.lossPercent, input.burstR ?? 1, input.codec ?? G711_PLC);
}

/** The rating factor R from its inputs as arguments (`rFactor` without an input object, for hot loops). */
export function rating(delayMs: number, lossPercent: number, burstR = 1, codec: CodecImpairment = G711_PLC): number {
  return R0 - delayImpairment(delayMs) - lossImpairment(lossPercent, burstR, codec);
}

/**
 * The mean opinion score predicted from R (1 to 4.5). The cubic dips just under 1 for 0 < R < 6.5;
 * MOS is 1 at least on its scale, so the result is clamped there.
 */
export function mosFromR(r: number): number {
  if (r <= 0) return 1;
  if (r >= 100) return 4.5;
  return Math.max(1, 1 + 0.035 * r + r * (r - 60) * (100 - r) * 7e-6);
}

/**
 * BurstR of a 2-state Markov loss process with p = P(loss | previous received) and r = P(received |
 * previous lost): 1 / (p + r), which is 1 for random loss and grows as losses cluster.
 */
export function burstRatio(p: number, r: number): number {
  return p + r > 0 ? 1 / (p + r) : 1;
}
