import { describe, expect, it } from 'vitest';
import { ConfigError, Rng } from '@nextx/core';
import { EventType, HawkesProcess, SyntheticMarket, checkStream, coefficientOfVariation, encodeEvents, marketSeries, mean, stylizedFacts, type LobEvent } from '../../src/index.js';

function simulate(seed: number, count: number): LobEvent[] {
  const out: LobEvent[] = [];
  for (const batch of new SyntheticMarket({ seed }).events(count)) out.push(...batch);
  return out;
}

describe('Hawkes arrivals', () => {
  it('a univariate process has the stationary rate μ / (1 − α/β) and bursty (CV > 1) inter-arrivals', () => {
    const process = new HawkesProcess([2], [{ beta: 10, alpha: [[6]] }]); // branching 0.6 → rate 5/s
    expect(process.branchingRatio()).toBeCloseTo(0.6, 9);
    const rng = Rng.seeded(3);
    const gaps: number[] = [];
    for (let i = 0; i < 40_000; i++) gaps.push(process.next(rng).dt);
    expect(40_000 / process.now).toBeGreaterThan(4.6);
    expect(40_000 / process.now).toBeLessThan(5.4);
    expect(coefficientOfVariation(gaps)).toBeGreaterThan(1.2);
    const poisson = new HawkesProcess([5], []);
    const poissonGaps = Array.from({ length: 20_000 }, () => poisson.next(rng).dt);
    expect(coefficientOfVariation(poissonGaps)).toBeCloseTo(1, 1);
    expect(mean(poissonGaps)).toBeCloseTo(0.2, 1);
  });
});

describe('the synthetic market', () => {
  const events = simulate(0, 150_000);

  it('is seeded: the same seed gives the same bytes, another seed another stream', () => {
    const again = simulate(0, 5_000);
    expect(Buffer.from(encodeEvents(again)).equals(Buffer.from(encodeEvents(events.slice(0, 5_000))))).toBe(true);
    expect(Buffer.from(encodeEvents(simulate(1, 5_000))).equals(Buffer.from(encodeEvents(again)))).toBe(false);
  });

  it('produces a stream the matching engine replays without a single violation, with every event type but halts', () => {
    expect(events).toHaveLength(150_000);
    expect(checkStream(events).violations).toEqual([]);
    const types = new Set(events.map((e) => e.type));
    for (const t of [EventType.Submit, EventType.Cancel, EventType.Delete, EventType.Execute, EventType.ExecuteHidden]) expect(types.has(t)).toBe(true);
  });

  it('has the stylized facts: heavy tails, no linear autocorrelation beyond lag 1, volatility clustering, bursty arrivals', () => {
    const facts = stylizedFacts(marketSeries(events, { tickUnits: 100, intervalNs: 10e9 }), { maxLag: 10 });
    expect(facts.returns.count).toBeGreaterThan(700);
    expect(facts.returns.kurtosis).toBeGreaterThan(4); // Gaussian: 3
    expect(facts.returns.hillIndex).toBeGreaterThan(2);
    expect(facts.returns.hillIndex).toBeLessThan(6);
    // Lag 1 is negative from the bounce of the mid between ticks (a microstructure effect real data shows too).
    expect(facts.returns.acf[0]).toBeLessThan(0);
    for (const rho of facts.returns.acf.slice(1)) expect(Math.abs(rho)).toBeLessThan(0.12);
    for (const rho of facts.returns.absAcf.slice(0, 5)) expect(rho).toBeGreaterThan(0.05);
    expect(mean(facts.returns.absAcf)).toBeGreaterThan(0.07);
    expect(facts.returns.absAcfDecay).toBeLessThan(1);
    expect(facts.interArrival.cv).toBeGreaterThan(1.2);
    expect(facts.spread.oneTickShare).toBeGreaterThan(0.3);
    expect(facts.orderSize.roundLotShare).toBeGreaterThan(0.8);
  });

  it('refuses a bad config with the field path', () => {
    expect(() => new SyntheticMarket({ hawkes: { sameSide: 2 } })).toThrow(ConfigError);
    const error = (() => {
      try {
        new SyntheticMarket({ placement: { exponent: -1 } });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).path).toEqual(['placement', 'exponent']);
  });
});
