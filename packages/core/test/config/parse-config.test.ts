import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseConfig } from '../../src/config/parse-config.js';
import { ConfigError } from '../../src/errors.js';

const schema = z
  .object({ side: z.number().int().default(8), kernel: z.number().int().default(1), range: z.array(z.number()).default([0, 1]) })
  .superRefine((c, ctx) => {
    if (c.kernel % 2 === 0) ctx.addIssue({ code: 'custom', path: ['kernel'], message: 'must be odd' });
    if (c.side % 3 === 0) ctx.addIssue({ code: 'custom', path: ['side'], message: 'must not be a multiple of 3' });
    if ((c.range[0] as number) < 0) ctx.addIssue({ code: 'custom', path: ['range', 0], message: 'must be ≥ 0', input: 'below zero' });
  });

function issuesOf(value: unknown): ConfigError['issues'] {
  try {
    parseConfig(schema, value, 'test config');
  } catch (error) {
    if (error instanceof ConfigError) return error.issues;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('parseConfig', () => {
  it("reports a refinement's issue with the value of the field its path names, not the object it refined", () => {
    const [issue] = issuesOf({ kernel: 2, side: 5 });
    expect(issue).toEqual({ path: ['kernel'], message: 'must be odd', received: 2 });
    expect(() => parseConfig(schema, { kernel: 2 }, 'test config')).toThrow(/kernel: must be odd; got 2$/m);
  });

  it('leaves the value out where the input does not hold the field (a default was filled in), and keeps an explicit input', () => {
    const issues = issuesOf({ side: 6, range: [-1, 1] });
    expect(issues.find((i) => i.path[0] === 'side')).toEqual({ path: ['side'], message: 'must not be a multiple of 3', received: 6 });
    expect(issues.find((i) => i.path[0] === 'range')).toEqual({ path: ['range', 0], message: 'must be ≥ 0', received: 'below zero' });
    const defaulted = z.object({ side: z.number().default(9) }).superRefine((c, ctx) => {
      if (c.side % 3 === 0) ctx.addIssue({ code: 'custom', path: ['side'], message: 'must not be a multiple of 3' });
    });
    expect(() => parseConfig(defaulted, {}, 'test config')).toThrow(/side: must not be a multiple of 3$/m);
  });

  it('reports what a type check received as before', () => {
    expect(issuesOf({ kernel: 'three' })).toEqual([expect.objectContaining({ path: ['kernel'], received: 'three' })]);
  });
});
