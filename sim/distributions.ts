/**
 * Delay distributions as netem defines them, and netem's correlated uniform source.
 *
 * Theory of operation: netem draws a (possibly correlated) uniform number and maps it through the
 * distribution's table: delay = mu + sigma · table(u). We compute each table's quantile function exactly
 * instead of shipping the tables (tables from iproute2's maketable, pareto.c and paretonormal.c):
 * - uniform: 2u − 1 (netem's non-table path: mu ± sigma);
 * - normal: Φ⁻¹(u), clipped to ±4 as netem's 16-bit table is;
 * - pareto: (4/3)·((1 − u)^(−1/3) − 1.5), a = 3 shifted to mean 0, capped at 4;
 * - paretonormal: Φ⁻¹(u)/4 + (1 − u)^(−1/3) − 1.5, clipped to ±4 (iproute2's ¼ normal + ¾ pareto);
 * - exponential (turmoil, VOPR, Maelstrom; not in netem): −ln(1 − u), so delay = minimum + Exp(mean).
 * The delay is finally clipped at 0. Correlation follows netem's get_crandom:
 * u_n = (1 − ρ)·v_n + ρ·u_{n−1}; like netem, it narrows the spread as ρ grows (lag-1 autocorrelation ρ,
 * variance (1 − ρ)/(1 + ρ) · 1/12).
 */
import type { DelayDistribution } from './link-config.ts';
import type { RandomStream } from './random.ts';

const TABLE_LIMIT = 32767 / 8192;

/** The standardised quantile function of `dist` at `u` in [0, 1). */
export function standardQuantile(dist: DelayDistribution, u: number): number {
  switch (dist) {
    case 'uniform':
      return 2 * u - 1;
    case 'normal':
      return clip(inverseNormal(u));
    case 'pareto':
      return Math.min(TABLE_LIMIT, (4 / 3) * (Math.pow(1 - u, -1 / 3) - 1.5));
    case 'paretonormal':
      return clip(inverseNormal(u) / 4 + Math.pow(1 - u, -1 / 3) - 1.5);
    case 'exponential':
      return -Math.log(1 - u);
  }
}

/** One delay draw: max(0, mu + sigma · quantile(u)). */
export function delaySample(dist: DelayDistribution, mu: number, sigma: number, u: number): number {
  if (sigma === 0) return mu;
  const d = mu + sigma * standardQuantile(dist, u);
  return d > 0 ? d : 0;
}

/** netem's correlated uniform source (get_crandom) over one random stream. */
export class CorrelatedUniform {
  private last: number;

  /** @param rho correlation in 0..1; 0 gives independent draws */
  constructor(
    private readonly stream: RandomStream,
    public rho: number,
  ) {
    this.last = stream.nextFloat(); // netem's init_crandom starts from a random value
  }

  /** The next uniform in [0, 1), leaning on the previous one by `rho`. */
  next(): number {
    const v = this.stream.nextFloat();
    if (this.rho === 0) return v;
    this.last = (1 - this.rho) * v + this.rho * this.last;
    return this.last;
  }
}

function clip(x: number): number {
  return x > TABLE_LIMIT ? TABLE_LIMIT : x < -TABLE_LIMIT ? -TABLE_LIMIT : x;
}

const P_LOW = 0.02425;

/**
 * Φ⁻¹(u): the standard normal quantile (−∞ at 0), by Acklam's rational approximation (relative error
 * < 1.2e-9). The coefficients are written out as literals, in Horner form (a, b for the central region,
 * c, d for the tails): a function this small is inlined into the link's delay draw (V8 inlines nothing
 * over 460 bytes of bytecode, and coefficients read from arrays made this one larger), so its result
 * needs no boxing.
 */
export function inverseNormal(u: number): number {
  if (u <= 0) return -Infinity;
  if (u >= 1) return Infinity;
  if (u < P_LOW || u > 1 - P_LOW) {
    // the tails: the upper one mirrors the lower one, Φ⁻¹(u) = −Φ⁻¹(1 − u)
    const q = Math.sqrt(-2 * Math.log(u < P_LOW ? u : 1 - u));
    const x =
      (((((-7.784894002430293e-3 * q + -3.223964580411365e-1) * q + -2.400758277161838) * q + -2.549732539343734) * q + 4.374664141464968) * q + 2.938163982698783) /
      ((((7.784695709041462e-3 * q + 3.224671290700398e-1) * q + 2.445134137142996) * q + 3.754408661907416) * q + 1);
    return u < P_LOW ? x : -x;
  }
  const q = u - 0.5;
  const r = q * q;
  return (
    ((((((-3.969683028665376e1 * r + 2.209460984245205e2) * r + -2.759285104469687e2) * r + 1.38357751867269e2) * r + -3.066479806614716e1) * r + 2.506628277459239) * q) /
    (((((-5.447609879822406e1 * r + 1.615858368580409e2) * r + -1.556989798598866e2) * r + 6.680131188771972e1) * r + -1.328068155288572e1) * r + 1)
  );
}
