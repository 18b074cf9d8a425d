import { autocorrelation, coefficientOfVariation, hillTailIndex, kurtosis, ksDistance, mean, powerLawDecay, wasserstein1 } from './statistics.js';
import type { MarketSeries } from './market-series.js';

export interface StylizedFacts {
  readonly returns: {
    readonly count: number;
    /** Pearson kurtosis of the mid returns (3 for Gaussian returns): heavy tails give more. */
    readonly kurtosis: number;
    /** Hill tail index of |returns| from the top `hillFraction` of them. */
    readonly hillIndex: number;
    /** ACF of returns at lags 1 … maxLag: about 0 (no linear predictability). */
    readonly acf: number[];
    /** ACF of |returns|: positive and slowly decaying (volatility clustering). */
    readonly absAcf: number[];
    /** Power-law decay exponent of absAcf. */
    readonly absAcfDecay: number;
  };
  /** Inter-arrival times: coefficient of variation > 1 means bursty (a Poisson stream has 1). */
  readonly interArrival: { readonly count: number; readonly meanMs: number; readonly cv: number };
  readonly spread: { readonly meanTicks: number; readonly oneTickShare: number };
  readonly bestDepth: { readonly mean: number };
  readonly orderSize: { readonly mean: number; readonly roundLotShare: number };
  readonly replay: { readonly events: number; readonly rejected: number };
}

export interface StylizedFactsOptions {
  readonly maxLag?: number;
  /** Share of the largest |returns| the Hill estimator uses (default 5 %). */
  readonly hillFraction?: number;
  /** Round-lot size for orderSize.roundLotShare (default 100). */
  readonly lot?: number;
}

/** The stylized facts of one stream (see MarketSeries for what each series is). */
export function stylizedFacts(series: MarketSeries, options: StylizedFactsOptions = {}): StylizedFacts {
  const maxLag = options.maxLag ?? 20;
  const r = series.returns;
  const absAcf = r.length > maxLag + 1 ? autocorrelation(r.map(Math.abs), maxLag) : [];
  const nonZero = r.filter((v) => v !== 0).length;
  const k = Math.max(1, Math.floor(nonZero * (options.hillFraction ?? 0.05)));
  const lot = options.lot ?? 100;
  return {
    returns: {
      count: r.length,
      kurtosis: kurtosis(r),
      hillIndex: nonZero > k ? hillTailIndex(r, k) : Number.NaN,
      acf: r.length > maxLag + 1 ? autocorrelation(r, maxLag) : [],
      absAcf,
      absAcfDecay: powerLawDecay(absAcf),
    },
    interArrival: { count: series.interArrivalNs.length, meanMs: mean(series.interArrivalNs) / 1e6, cv: coefficientOfVariation(series.interArrivalNs) },
    spread: { meanTicks: mean(series.spreads), oneTickShare: series.spreads.filter((s) => s === 1).length / series.spreads.length },
    bestDepth: { mean: mean(series.bestDepth) },
    orderSize: { mean: mean(series.orderSizes), roundLotShare: series.orderSizes.filter((s) => s % lot === 0).length / series.orderSizes.length },
    replay: { events: series.events, rejected: series.rejected },
  };
}

/** Distance between the distributions of one series in two streams. */
export interface DistributionDistance {
  readonly ks: number;
  readonly wasserstein1: number;
}

export type ComparedSeries = 'returns' | 'interArrivalLog10' | 'spreads' | 'bestDepth' | 'orderSizes' | 'executionSizes' | 'midPrice';

/**
 * KS and Wasserstein-1 distances between a real and a generated stream, series by series: returns, log₁₀
 * inter-arrival times (their scale spans decades), spreads (ticks), best-level depth, order and execution sizes, and
 * mid prices. A series empty on either side gives NaN.
 */
export function compareSeries(real: MarketSeries, generated: MarketSeries): Record<ComparedSeries, DistributionDistance> {
  const pick: Record<ComparedSeries, (s: MarketSeries) => number[]> = {
    returns: (s) => s.returns,
    interArrivalLog10: (s) => s.interArrivalNs.map(Math.log10),
    spreads: (s) => s.spreads,
    bestDepth: (s) => s.bestDepth,
    orderSizes: (s) => s.orderSizes,
    executionSizes: (s) => s.executionSizes,
    midPrice: (s) => s.mids,
  };
  const out = {} as Record<ComparedSeries, DistributionDistance>;
  for (const [name, get] of Object.entries(pick) as Array<[ComparedSeries, (s: MarketSeries) => number[]]>) {
    const a = get(real);
    const b = get(generated);
    out[name] = a.length && b.length ? { ks: ksDistance(a, b), wasserstein1: wasserstein1(a, b) } : { ks: Number.NaN, wasserstein1: Number.NaN };
  }
  return out;
}
