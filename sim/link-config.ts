/**
 * The configuration of one link direction: every knob, its meaning, its default and its allowed range.
 *
 * Theory of operation: a `LinkModel` is plain data, named after Linux netem (tc-netem(8)) and libwebrtc's
 * SimulatedNetwork so users find the knobs they know with the same meaning. Probabilities are fractions
 * in 0..1 (netem writes percent). Users give partial overrides; `resolveLinkModel` merges them over a
 * base and validates the result, throwing a `ConfigError` that names the field and the allowed range.
 * Every field can be changed mid-run (`World.setLink`).
 */
import { ConfigError } from './errors.ts';

/** Delay distributions; `jitterMs = 0` gives a constant delay whatever the distribution. */
export const DELAY_DISTRIBUTIONS = ['uniform', 'normal', 'pareto', 'paretonormal', 'exponential'] as const;

/** A delay distribution (netem's tables, computed exactly; `exponential` as in turmoil and VOPR). */
export type DelayDistribution = (typeof DELAY_DISTRIBUTIONS)[number];

/** How packets are lost. */
export type LossModel =
  /** No loss. */
  | { readonly model: 'none' }
  /** netem `loss random P [CORR]`: each packet lost with probability `p` (correlation as netem's). */
  | { readonly model: 'random'; readonly p: number; readonly correlation?: number }
  /**
   * netem `loss gemodel p [r [1-h [1-k]]]`, Gilbert-Elliott: `p` good→bad, `r` bad→good,
   * `lossInBad` = 1−h (default 1), `lossInGood` = 1−k (default 0); `r` defaults to 1−p.
   */
  | {
      readonly model: 'gemodel';
      readonly p: number;
      readonly r?: number;
      readonly lossInBad?: number;
      readonly lossInGood?: number;
    }
  /**
   * libwebrtc `loss_percent` + `avg_burst_loss_length`: average loss `rate` (0..1) in bursts of
   * `meanBurstLength` packets on average; needs meanBurstLength > ceil(rate / (1 − rate)).
   */
  | { readonly model: 'burst'; readonly rate: number; readonly meanBurstLength: number };

/** netem `slot MIN MAX [packets N] [bytes B]`: delivery in batches at slot openings. */
export interface SlotConfig {
  /** Shortest gap between slot openings (ms). */
  readonly minMs: number;
  /** Longest gap between slot openings (ms); each gap is uniform in [minMs, maxMs]. */
  readonly maxMs: number;
  /** Most packets released per opening (default unlimited). */
  readonly packets?: number;
  /** Most bytes released per opening (default unlimited). */
  readonly bytes?: number;
}

/** Random stalls: the link holds everything for a while, then releases it all at once (a Wi-Fi stall). */
export interface StallConfig {
  /** Mean time between the end of one stall and the start of the next (ms, exponential). */
  readonly meanIntervalMs: number;
  /** Mean length of a stall (ms, exponential unless `fixedDuration`). */
  readonly meanDurationMs: number;
  /** Every stall lasts exactly `meanDurationMs` (default false). */
  readonly fixedDuration?: boolean;
}

/** Every parameter of one link direction. */
export interface LinkModel {
  /** Base one-way delay (ms): netem `delay TIME`, libwebrtc `queue_delay_ms`. Default 0. */
  readonly delayMs: number;
  /** Delay variation (ms): netem `JITTER`, libwebrtc `delay_standard_deviation_ms`. Default 0. */
  readonly jitterMs: number;
  /** netem delay `CORRELATION` (0..1): each draw leans on the previous one. Default 0. */
  readonly delayCorrelation: number;
  /** Shape of the delay variation. Default `uniform` (netem's default). */
  readonly distribution: DelayDistribution;
  /** Loss model. Default none. */
  readonly loss: LossModel;
  /** netem `duplicate P` (0..1): a second copy is sent with its own delay draw. Default 0. */
  readonly duplicate: number;
  /** netem `corrupt P` (0..1): one random bit of the encoded message is flipped. Default 0. */
  readonly corrupt: number;
  /** netem `reorder P` (0..1): a packet skips the delay and overtakes those in flight. Default 0. */
  readonly reorder: number;
  /** netem reorder `CORRELATION` (0..1). Default 0. */
  readonly reorderCorrelation: number;
  /** netem reorder `gap N`: at least N−1 packets are delayed normally between two reorders. Default 1. */
  readonly reorderGap: number;
  /**
   * libwebrtc `allow_reordering`. When false a packet never arrives before the one sent before it
   * (its arrival is clamped to the previous arrival). Default true (netem: jitter reorders).
   */
  readonly allowReordering: boolean;
  /** Link capacity in kbit/s (netem `rate`, libwebrtc `link_capacity`); 0 = unlimited. Default 0. */
  readonly rateKbps: number;
  /** Bytes added to every packet for serialisation (netem `PACKETOVERHEAD`). Default 0. */
  readonly packetOverheadBytes: number;
  /** Capacity queue bound in packets, tail drop beyond (libwebrtc `queue_length_packets`); 0 = unlimited. */
  readonly queuePackets: number;
  /** netem slot batching, or null. Default null. */
  readonly slot: SlotConfig | null;
  /** Random stalls, or null. Default null. */
  readonly stall: StallConfig | null;
}

/** A partial link model: the fields to change. */
export type LinkOverrides = { readonly [K in keyof LinkModel]?: LinkModel[K] };

/** The perfect link: no delay, no loss, no impairment. Every default is documented on `LinkModel`. */
export const PERFECT_LINK: LinkModel = Object.freeze({
  delayMs: 0,
  jitterMs: 0,
  delayCorrelation: 0,
  distribution: 'uniform',
  loss: Object.freeze({ model: 'none' }),
  duplicate: 0,
  corrupt: 0,
  reorder: 0,
  reorderCorrelation: 0,
  reorderGap: 1,
  allowReordering: true,
  rateKbps: 0,
  packetOverheadBytes: 0,
  queuePackets: 0,
  slot: null,
  stall: null,
});

const KEYS = Object.keys(PERFECT_LINK) as (keyof LinkModel)[];

/** Merge `overrides` over `base` and validate the result; `path` names the link in errors. */
export function resolveLinkModel(base: LinkModel, overrides: unknown, path = 'link'): LinkModel {
  if (overrides === undefined) return base;
  if (typeof overrides !== 'object' || overrides === null || Array.isArray(overrides)) {
    throw new ConfigError(path, 'an object of link settings', overrides);
  }
  for (const key of Object.keys(overrides)) {
    if (!KEYS.includes(key as keyof LinkModel)) {
      throw new ConfigError(`${path}.${key}`, `one of ${KEYS.join(', ')}`, key);
    }
  }
  const merged = { ...base, ...(overrides as LinkOverrides) };
  validateLinkModel(merged, path);
  return Object.freeze(merged);
}

/** Throw a `ConfigError` naming the first invalid field of `m`. */
export function validateLinkModel(m: LinkModel, path = 'link'): void {
  nonNegative(m.delayMs, `${path}.delayMs`);
  nonNegative(m.jitterMs, `${path}.jitterMs`);
  probability(m.delayCorrelation, `${path}.delayCorrelation`);
  if (!DELAY_DISTRIBUTIONS.includes(m.distribution)) {
    throw new ConfigError(`${path}.distribution`, `one of ${DELAY_DISTRIBUTIONS.join(', ')}`, m.distribution);
  }
  validateLoss(m.loss, `${path}.loss`);
  probability(m.duplicate, `${path}.duplicate`);
  probability(m.corrupt, `${path}.corrupt`);
  probability(m.reorder, `${path}.reorder`);
  probability(m.reorderCorrelation, `${path}.reorderCorrelation`);
  integerAtLeast(m.reorderGap, 1, `${path}.reorderGap`);
  if (typeof m.allowReordering !== 'boolean') {
    throw new ConfigError(`${path}.allowReordering`, 'true or false', m.allowReordering);
  }
  if (m.reorder > 0 && !m.allowReordering) {
    throw new ConfigError(`${path}.reorder`, '0 when allowReordering is false', m.reorder);
  }
  if (m.reorder > 0 && m.delayMs === 0) {
    throw new ConfigError(`${path}.reorder`, '0 unless delayMs > 0 (as netem: reordering needs a delay)', m.reorder);
  }
  nonNegative(m.rateKbps, `${path}.rateKbps`);
  integerAtLeast(m.packetOverheadBytes, 0, `${path}.packetOverheadBytes`);
  integerAtLeast(m.queuePackets, 0, `${path}.queuePackets`);
  if (m.slot !== null) validateSlot(m.slot, `${path}.slot`);
  if (m.stall !== null) validateStall(m.stall, `${path}.stall`);
}

/** The model's long-run loss fraction, from its parameters (0 for `none`). */
export function expectedLossRate(loss: LossModel): number {
  switch (loss.model) {
    case 'none':
      return 0;
    case 'random':
      return loss.p;
    case 'burst':
      return loss.rate;
    case 'gemodel': {
      const { p, r, lossInBad, lossInGood } = geParameters(loss);
      if (p + r === 0) return lossInGood;
      return (p / (p + r)) * lossInBad + (r / (p + r)) * lossInGood;
    }
  }
}

/** netem gemodel parameters with netem's defaults filled in. */
export function geParameters(loss: Extract<LossModel, { model: 'gemodel' }>): {
  p: number;
  r: number;
  lossInBad: number;
  lossInGood: number;
} {
  return { p: loss.p, r: loss.r ?? 1 - loss.p, lossInBad: loss.lossInBad ?? 1, lossInGood: loss.lossInGood ?? 0 };
}

function validateLoss(loss: LossModel, path: string): void {
  if (typeof loss !== 'object' || loss === null) throw new ConfigError(path, 'a loss model object', loss);
  const fields: Record<LossModel['model'], string[]> = {
    none: [],
    random: ['p', 'correlation'],
    gemodel: ['p', 'r', 'lossInBad', 'lossInGood'],
    burst: ['rate', 'meanBurstLength'],
  };
  const allowed = fields[loss.model];
  if (allowed === undefined) {
    throw new ConfigError(`${path}.model`, `one of ${Object.keys(fields).join(', ')}`, (loss as { model: unknown }).model);
  }
  for (const key of Object.keys(loss)) {
    if (key !== 'model' && !allowed.includes(key)) {
      throw new ConfigError(`${path}.${key}`, `one of model${allowed.map((f) => ', ' + f).join('')}`, key);
    }
  }
  switch (loss.model) {
    case 'none':
      return;
    case 'random':
      probability(loss.p, `${path}.p`);
      if (loss.correlation !== undefined) probability(loss.correlation, `${path}.correlation`);
      return;
    case 'gemodel': {
      probability(loss.p, `${path}.p`);
      if (loss.r !== undefined) probability(loss.r, `${path}.r`);
      if (loss.lossInBad !== undefined) probability(loss.lossInBad, `${path}.lossInBad`);
      if (loss.lossInGood !== undefined) probability(loss.lossInGood, `${path}.lossInGood`);
      return;
    }
    case 'burst': {
      if (!(typeof loss.rate === 'number' && loss.rate >= 0 && loss.rate < 1)) {
        throw new ConfigError(`${path}.rate`, 'a number in 0..1 (excluding 1)', loss.rate);
      }
      const minimum = Math.ceil(loss.rate / (1 - loss.rate));
      if (!(typeof loss.meanBurstLength === 'number' && loss.meanBurstLength > minimum)) {
        throw new ConfigError(
          `${path}.meanBurstLength`,
          `a number > ${minimum} (libwebrtc: a burst length that can produce ${loss.rate * 100}% loss)`,
          loss.meanBurstLength,
        );
      }
      return;
    }
  }
}

function validateSlot(slot: SlotConfig, path: string): void {
  nonNegative(slot.minMs, `${path}.minMs`);
  nonNegative(slot.maxMs, `${path}.maxMs`);
  if (slot.maxMs < slot.minMs) throw new ConfigError(`${path}.maxMs`, `a number >= minMs (${slot.minMs})`, slot.maxMs);
  if (slot.maxMs === 0) throw new ConfigError(`${path}.maxMs`, 'a number > 0', slot.maxMs);
  if (slot.packets !== undefined) integerAtLeast(slot.packets, 1, `${path}.packets`);
  if (slot.bytes !== undefined) integerAtLeast(slot.bytes, 1, `${path}.bytes`);
}

function validateStall(stall: StallConfig, path: string): void {
  positive(stall.meanIntervalMs, `${path}.meanIntervalMs`);
  positive(stall.meanDurationMs, `${path}.meanDurationMs`);
}

function nonNegative(x: unknown, field: string): void {
  if (!(typeof x === 'number' && Number.isFinite(x) && x >= 0)) throw new ConfigError(field, 'a finite number >= 0', x);
}

function positive(x: unknown, field: string): void {
  if (!(typeof x === 'number' && Number.isFinite(x) && x > 0)) throw new ConfigError(field, 'a finite number > 0', x);
}

function probability(x: unknown, field: string): void {
  if (!(typeof x === 'number' && x >= 0 && x <= 1)) throw new ConfigError(field, 'a probability in 0..1', x);
}

function integerAtLeast(x: unknown, min: number, field: string): void {
  if (!(typeof x === 'number' && Number.isInteger(x) && x >= min)) throw new ConfigError(field, `an integer >= ${min}`, x);
}
