import { z } from 'zod';

const rate = z.number().nonnegative();
const probability = z.number().min(0).max(1);

/** The synthetic market's parameters (defaults: a liquid $100 stock with a $0.01 tick, ~18 messages/s). */
export const syntheticMarketSchema = z
  .object({
    seed: z.number().int().default(0),
    /** Mid price at the start, in ticks. */
    startPrice: z.number().int().min(100).default(10_000),
    /** Price units per tick in the events: 100 makes prices LOBSTER's dollars × 10⁴ for a $0.01 tick. */
    tickUnits: z.number().int().positive().default(100),
    /** First order id (LOBSTER-like 8-digit ids). */
    firstOrderId: z.number().int().nonnegative().default(10_000_000),
    /** Baseline intensities per side, 1/s: market orders, limit orders, cancellations. */
    baseline: z.object({ market: rate.default(0.2), limit: rate.default(2), cancel: rate.default(1) }).prefault({}),
    /**
     * Hawkes excitation between the order classes: `excitation.<target>.<source>` is the expected number of <target>
     * orders one <source> order triggers (split `sameSide` on its own side, the rest on the other). Trades exciting
     * trades (and cancellations) while limit orders follow more slowly is what makes volatility cluster. The total is
     * spread over two exponential kernels, fast and slow (decay rates in 1/s; `slowShare` on the slow one).
     */
    hawkes: z
      .object({
        excitation: z
          .object({
            market: z.object({ market: rate.default(0.8), limit: rate.default(0), cancel: rate.default(0) }).prefault({}),
            limit: z.object({ market: rate.default(0.15), limit: rate.default(0.35), cancel: rate.default(0.1) }).prefault({}),
            cancel: z.object({ market: rate.default(0.3), limit: rate.default(0.25), cancel: rate.default(0.2) }).prefault({}),
          })
          .prefault({}),
        sameSide: probability.default(0.5),
        fastDecay: z.number().positive().default(200),
        slowDecay: z.number().positive().default(0.005),
        slowShare: probability.default(0.5),
      })
      .prefault({}),
    /** Limit-order placement: distance behind the opposite best, P(d) ∝ (d + 1)^−exponent for d = 0 … maxDepth. */
    placement: z.object({ exponent: z.number().positive().default(0.8), maxDepth: z.number().int().positive().default(30) }).prefault({}),
    /** Limit sizes: round lots (1 + Geometric(p)) × lot, or with probability oddLot a size in 1 … lot − 1. */
    limitSize: z.object({ lot: z.number().int().positive().default(100), p: probability.default(0.45), oddLot: probability.default(0.1) }).prefault({}),
    /**
     * Market-order sizes: Pareto with this scale and tail exponent (heavy-tailed order flow), capped at what the best
     * `maxLevels` visible levels of the opposite side hold (takers protect their price).
     */
    marketSize: z
      .object({ scale: z.number().positive().default(100), exponent: z.number().positive().default(1.3), maxLevels: z.number().int().positive().default(5) })
      .prefault({}),
    /** Share of limit orders that are hidden (they show only when executed, as type-5 events). */
    hiddenShare: probability.default(0.03),
    /** A cancellation hits the level k away from the best with P(k) ∝ (k + 1)^−cancelExponent. */
    cancelExponent: z.number().nonnegative().default(1),
    /** Share of cancellations that are partial (half of what is left). */
    partialCancel: probability.default(0.2),
    /** A side with fewer visible levels than this gets a replenishing limit order after each action. */
    minLevels: z.number().int().positive().default(4),
    /** Levels per side in the initial book, with two round-lot orders each. */
    initialLevels: z.number().int().positive().default(10),
  })
  .strict();
export type SyntheticMarketConfig = z.output<typeof syntheticMarketSchema>;
export type SyntheticMarketConfigInput = z.input<typeof syntheticMarketSchema>;
