/**
 * Named network presets from published figures (see ../shared/reference/network-models.md).
 *
 * Theory of operation: a preset is a partial `LinkModel` applied to every link direction and both
 * channels unless a scenario overrides it. Latency figures are one-way delays; where a source gives
 * different downlink and uplink figures we take the uplink (the bottleneck a peer's packets cross).
 * Access networks are FIFO, so presets forbid reordering (libwebrtc's clamp): delay variation shows up
 * as queueing, not overtaking. Sources: Loadero's WebRTC profiles (4g, 3.5g, 3g, edge, high-latency,
 * high-jitter) and str0m-netem's Gilbert-Elliott presets (wifi, wifi-lossy, cellular, satellite,
 * congested, given as packets between bursts 1/p and burst length 1/r, 100 % loss in the bad state).
 * Their delays, which those sources do not give, are our own typical figures and marked as such.
 */
import { ConfigError } from './errors.ts';
import { expectedLossRate, PERFECT_LINK, resolveLinkModel, type LinkModel, type LinkOverrides } from './link-config.ts';

/** A named preset: its settings and where its figures come from. */
export interface Preset {
  /** The preset's name, as given to `--net`. */
  readonly name: string;
  /** What it models and where its figures come from. */
  readonly source: string;
  /** The settings it applies over the perfect link. */
  readonly settings: LinkOverrides;
}

const ge = (between: number, burst: number) => ({ model: 'gemodel', p: 1 / between, r: 1 / burst, lossInBad: 1, lossInGood: 0 }) as const;
const fifo = { allowReordering: false, distribution: 'normal' } as const;

/** Every preset, in the order the README lists them. */
export const PRESETS: readonly Preset[] = [
  { name: 'perfect', source: 'no delay, loss or impairment', settings: {} },
  { name: 'wifi', source: 'str0m GE (200, 2); delay ours', settings: { ...fifo, delayMs: 5, jitterMs: 3, loss: ge(200, 2) } },
  { name: 'wifi-lossy', source: 'str0m GE (40, 2); delay ours', settings: { ...fifo, delayMs: 8, jitterMs: 5, loss: ge(40, 2) } },
  {
    name: 'wifi-stall',
    source: 'wifi plus stalls (~400 ms every ~15 s) that release in one burst; ours',
    settings: { ...fifo, delayMs: 5, jitterMs: 3, loss: ge(200, 2), stall: { meanIntervalMs: 15_000, meanDurationMs: 400 } },
  },
  { name: '4g', source: 'Loadero 4G (uplink 50 Mbps, jitter 15 ms)', settings: { ...fifo, delayMs: 45, jitterMs: 15, loss: { model: 'random', p: 0.002 }, rateKbps: 50_000 } },
  { name: '3.5g', source: 'Loadero 3.5G/HSPA (uplink 10 Mbps)', settings: { ...fifo, delayMs: 150, jitterMs: 10, loss: { model: 'random', p: 0.005 }, rateKbps: 10_000 } },
  { name: '3g', source: 'Loadero 3G', settings: { ...fifo, delayMs: 250, jitterMs: 50, loss: { model: 'random', p: 0.005 }, rateKbps: 1_200 } },
  { name: 'edge', source: 'Loadero Edge (uplink 200 kbps)', settings: { ...fifo, delayMs: 650, jitterMs: 100, loss: { model: 'random', p: 0.01 }, rateKbps: 200 } },
  { name: 'cellular', source: 'str0m GE (100, 2); delay ours', settings: { ...fifo, delayMs: 60, jitterMs: 20, loss: ge(100, 2) } },
  { name: 'satellite', source: 'str0m GE (100, 3); GEO delay ours', settings: { ...fifo, delayMs: 300, jitterMs: 10, loss: ge(100, 3) } },
  { name: 'congested', source: 'str0m GE (20, 2); delay ours', settings: { ...fifo, delayMs: 100, jitterMs: 40, loss: ge(20, 2) } },
  { name: 'high-latency', source: 'Loadero high latency', settings: { ...fifo, delayMs: 500, jitterMs: 50 } },
  { name: 'high-jitter', source: 'Loadero high jitter', settings: { ...fifo, delayMs: 200, jitterMs: 100 } },
];

/** Names of every preset. */
export const PRESET_NAMES: readonly string[] = PRESETS.map((p) => p.name);

/** The full link model of preset `name`; an unknown name is a `ConfigError` listing the known ones. */
export function presetModel(name: string, field = 'network'): LinkModel {
  const preset = PRESETS.find((p) => p.name === name);
  if (preset === undefined) throw new ConfigError(field, `one of ${PRESET_NAMES.join(', ')}`, name);
  return resolveLinkModel(PERFECT_LINK, preset.settings, `presets.${name}`);
}

/** The README's preset table, in Markdown, generated from `PRESETS` so the two cannot disagree. */
export function presetTable(): string {
  const rows = PRESETS.map((p) => {
    const m = presetModel(p.name);
    const loss = expectedLossRate(m.loss);
    const lossText = m.loss.model === 'none' ? '0' : `${(loss * 100).toFixed(2)} % ${m.loss.model === 'gemodel' ? `GE, bursts of ${(1 / (m.loss.r ?? 1)).toFixed(0)}` : 'random'}`;
    const rate = m.rateKbps === 0 ? '∞' : `${m.rateKbps} kbps`;
    const stall = m.stall === null ? '' : `, stalls ${m.stall.meanDurationMs} ms / ${m.stall.meanIntervalMs / 1000} s`;
    return `| \`${p.name}\` | ${m.delayMs} ms | ${m.jitterMs} ms ${m.jitterMs ? m.distribution : ''} | ${lossText} | ${rate}${stall} | ${p.source} |`;
  });
  return ['| preset | delay (one-way) | jitter | loss (long-run) | capacity | source |', '|---|---|---|---|---|---|', ...rows].join('\n');
}
