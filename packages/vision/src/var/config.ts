import { z } from 'zod';
import { ConfigError, parseConfig } from '@nextx/core';

/** patch_nums of every released VAR checkpoint (256×256 images, 16×16 latent). */
export const RELEASED_PATCH_NUMS: readonly number[] = [1, 2, 3, 4, 5, 6, 8, 10, 13, 16];

const positiveInt = z.number().int().positive();
const patchNumsSchema = z
  .array(positiveInt)
  .min(1)
  .refine((pns) => pns.every((pn, i) => i === 0 || pn > (pns[i - 1] as number)), {
    message: 'patch sizes must be strictly increasing',
  });
const rate = z.number().min(0).max(1);

/**
 * VQVAE constructor arguments under the official names (`VQVAE(vocab_size, z_channels, ch, ...)`), plus what the
 * official code hard-codes (`ch_mult`, `num_res_blocks`, `in_channels`, `using_sa`, `using_mid_sa`, GroupNorm groups
 * and eps), exposed with the official values as defaults. Defaults are those of the released `vae_ch160v4096z32.pth`.
 */
export const vqvaeConfigSchema = z
  .object({
    vocab_size: positiveInt.default(4096),
    z_channels: positiveInt.default(32),
    ch: positiveInt.default(160),
    dropout: z.number().min(0).lt(1).default(0),
    beta: z.number().nonnegative().default(0.25),
    using_znorm: z.boolean().default(false),
    quant_conv_ks: z.union([z.literal(1), z.literal(3)]).default(3),
    quant_resi: z.number().min(-1).max(1).default(0.5),
    share_quant_resi: z.number().int().nonnegative().default(4),
    default_qresi_counts: z.number().int().nonnegative().default(0),
    v_patch_nums: patchNumsSchema.default([...RELEASED_PATCH_NUMS]),
    test_mode: z.boolean().default(true),
    ch_mult: z.array(positiveInt).min(1).default([1, 1, 2, 2, 4]),
    num_res_blocks: positiveInt.default(2),
    in_channels: positiveInt.default(3),
    using_sa: z.boolean().default(true),
    using_mid_sa: z.boolean().default(true),
    num_groups: positiveInt.default(32),
    groupnorm_eps: z.number().positive().default(1e-6),
  })
  .strict()
  .superRefine((c, ctx) => {
    const widths = [c.ch, ...c.ch_mult.map((m) => m * c.ch)];
    const bad = widths.find((w) => w % c.num_groups !== 0);
    if (bad !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['num_groups'],
        message: `every encoder/decoder width (ch·ch_mult = ${widths.join(', ')}) must be divisible by num_groups; ${bad} is not`,
        input: c.num_groups,
      });
    }
  });

/**
 * VAR constructor arguments under the official names. `embed_dim` defaults to 64·depth, `num_heads` to depth and
 * `drop_path_rate` to 0.1·depth/24, as `build_vae_var` sets them for the released checkpoints (var_d16 … var_d30).
 */
export const varTransformerConfigSchema = z
  .object({
    num_classes: positiveInt.default(1000),
    depth: positiveInt.default(16),
    embed_dim: positiveInt.optional(),
    num_heads: positiveInt.optional(),
    mlp_ratio: z.number().positive().default(4),
    drop_rate: rate.default(0),
    attn_drop_rate: rate.default(0),
    drop_path_rate: rate.optional(),
    norm_eps: z.number().positive().default(1e-6),
    shared_aln: z.boolean().default(false),
    cond_drop_rate: rate.default(0.1),
    attn_l2_norm: z.boolean().default(true),
    patch_nums: patchNumsSchema.default([...RELEASED_PATCH_NUMS]),
    flash_if_available: z.boolean().default(true),
    fused_if_available: z.boolean().default(true),
  })
  .strict()
  .transform((c) => ({
    ...c,
    embed_dim: c.embed_dim ?? 64 * c.depth,
    num_heads: c.num_heads ?? c.depth,
    drop_path_rate: c.drop_path_rate ?? Math.min(1, (0.1 * c.depth) / 24),
  }))
  .superRefine((c, ctx) => {
    if (c.embed_dim % c.num_heads !== 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['num_heads'],
        message: `embed_dim ${c.embed_dim} must be divisible by num_heads`,
        input: c.num_heads,
      });
    }
  });

const canonicalSchema = z
  .object({ vqvae: vqvaeConfigSchema.default(vqvaeConfigSchema.parse({})), var: varTransformerConfigSchema })
  .strict()
  .superRefine((c, ctx) => {
    const a = c.vqvae.v_patch_nums;
    const b = c.var.patch_nums;
    if (a.length !== b.length || a.some((pn, i) => pn !== b[i])) {
      ctx.addIssue({
        code: 'custom',
        path: ['var', 'patch_nums'],
        message: `must equal vqvae.v_patch_nums [${a.join(', ')}]`,
        input: b,
      });
    }
  });

/** The fixture's / official `config.json` shape: constructor arguments as recorded from the official code. */
const officialShapeSchema = z
  .looseObject({
    vqvae_constructor: z.record(z.string(), z.unknown()),
    var_constructor: z.record(z.string(), z.unknown()),
    vqvae_hardcoded_in_official_code: z.record(z.string(), z.unknown()).optional(),
  })
  .transform((o) => {
    const hard = o.vqvae_hardcoded_in_official_code ?? {};
    const numGroups = hard['groupnorm_num_groups_USED_HERE'] ?? hard['groupnorm_num_groups_official'];
    const vqvae: Record<string, unknown> = { ...o.vqvae_constructor };
    for (const key of ['ch_mult', 'num_res_blocks', 'in_channels', 'using_sa', 'using_mid_sa'] as const) {
      if (key in hard) vqvae[key] = hard[key];
    }
    if (numGroups !== undefined) vqvae['num_groups'] = numGroups;
    if (hard['groupnorm_eps'] !== undefined) vqvae['groupnorm_eps'] = hard['groupnorm_eps'];
    const { vae_local: _vaeLocal, ...varArgs } = o.var_constructor;
    // Unvalidated here: canonicalSchema, next in the pipe, checks every field and reports its path.
    return { vqvae, var: varArgs } as z.input<typeof canonicalSchema>;
  })
  .pipe(canonicalSchema);

/**
 * A VAR model = its VQVAE tokenizer + its next-scale transformer. Accepts `{vqvae, var}` (constructor argument names)
 * or the official fixture shape `{vqvae_constructor, var_constructor, vqvae_hardcoded_in_official_code}`.
 */
export const varModelConfigSchema = z.union([canonicalSchema, officialShapeSchema]);

export type VqvaeConfig = z.output<typeof vqvaeConfigSchema>;
export type VarTransformerConfig = z.output<typeof varTransformerConfigSchema>;
export type VarModelConfig = z.output<typeof canonicalSchema>;

/** Parses either accepted shape into the canonical config; a bad value is one ConfigError naming the field. */
export function parseVarModelConfig(value: unknown, what = 'VAR config'): VarModelConfig {
  const isOfficial = typeof value === 'object' && value !== null && 'vqvae_constructor' in value;
  return isOfficial ? parseConfig(officialShapeSchema, value, what) : parseConfig(canonicalSchema, value, what);
}

/** Sizes every part of the model derives from the config (README section 2, "derived sizes"). */
export interface VarDerived {
  readonly patchNums: readonly number[];
  /** Number of scales S. */
  readonly numScales: number;
  /** Tokens in total, L = Σ pn². */
  readonly L: number;
  readonly firstL: number;
  /** [begin, end) of each scale along the L axis. */
  readonly beginEnds: ReadonlyArray<readonly [number, number]>;
  /** Latent side h = pn_{S−1}. */
  readonly latentSize: number;
  readonly downsample: number;
  readonly imageSize: number;
  readonly cvae: number;
  readonly vocabSize: number;
  readonly width: number;
  readonly numHeads: number;
  readonly headDim: number;
  readonly ffnHidden: number;
}

export function deriveSizes(config: VarModelConfig): VarDerived {
  const patchNums = config.var.patch_nums;
  const beginEnds: Array<readonly [number, number]> = [];
  let L = 0;
  for (const pn of patchNums) {
    beginEnds.push([L, L + pn * pn]);
    L += pn * pn;
  }
  const latentSize = patchNums[patchNums.length - 1] as number;
  const downsample = 2 ** (config.vqvae.ch_mult.length - 1);
  return {
    patchNums,
    numScales: patchNums.length,
    L,
    firstL: (patchNums[0] as number) ** 2,
    beginEnds,
    latentSize,
    downsample,
    imageSize: latentSize * downsample,
    cvae: config.vqvae.z_channels,
    vocabSize: config.vqvae.vocab_size,
    width: config.var.embed_dim,
    numHeads: config.var.num_heads,
    headDim: config.var.embed_dim / config.var.num_heads,
    ffnHidden: Math.round(config.var.embed_dim * config.var.mlp_ratio),
  };
}

export type ShapeMap = Readonly<Record<string, readonly number[]>>;

/**
 * What a VQVAE state dict determines: vocabulary, Cvae, ch, ch_mult, num_res_blocks, in_channels, attention,
 * quant_conv kernel and the φ sharing. `num_groups`, `quant_resi` (ρ) and the patch sizes are not in the weights.
 */
export function inferVqvaeArgs(shapes: ShapeMap): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const codebook = shapes['quantize.embedding.weight'];
  if (codebook) {
    out['vocab_size'] = codebook[0];
    out['z_channels'] = codebook[1];
  }
  const convIn = shapes['encoder.conv_in.weight'];
  if (convIn) {
    out['ch'] = convIn[0];
    out['in_channels'] = convIn[1];
  }
  const levels = countIndexed(shapes, 'encoder.down.');
  if (convIn && levels > 0) {
    const ch = convIn[0] as number;
    const mult: number[] = [];
    for (let i = 0; i < levels; i++) {
      const w = shapes[`encoder.down.${i}.block.0.conv1.weight`];
      if (w) mult.push((w[0] as number) / ch);
    }
    if (mult.length === levels) out['ch_mult'] = mult;
    const blocks = countIndexed(shapes, 'encoder.down.0.block.');
    if (blocks > 0) out['num_res_blocks'] = blocks;
    out['using_sa'] = `encoder.down.${levels - 1}.attn.0.qkv.weight` in shapes;
    out['using_mid_sa'] = 'encoder.mid.attn_1.qkv.weight' in shapes;
  }
  const quantConv = shapes['quant_conv.weight'];
  if (quantConv) out['quant_conv_ks'] = quantConv[2];
  const shared = countIndexed(shapes, 'quantize.quant_resi.qresi_ls.');
  if (shared > 0) out['share_quant_resi'] = shared;
  else if ('quantize.quant_resi.qresi.weight' in shapes) out['share_quant_resi'] = 1;
  else if (countIndexed(shapes, 'quantize.quant_resi.') > 0) out['share_quant_resi'] = 0;
  return out;
}

/**
 * What a VAR state dict determines: depth, width, heads (from scale_mul_1H11), vocabulary (head), Cvae (word_embed),
 * num_classes (class_emb rows − 1), mlp_ratio, shared_aln, attn_l2_norm and the patch sizes (from the lvl_1L buffer's
 * length when `levelCounts` gives the number of positions per level; otherwise from the released set when L matches).
 */
export function inferVarArgs(shapes: ShapeMap, levelCounts?: readonly number[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const depth = countIndexed(shapes, 'blocks.');
  if (depth > 0) out['depth'] = depth;
  const classEmb = shapes['class_emb.weight'];
  if (classEmb) {
    out['num_classes'] = (classEmb[0] as number) - 1;
    out['embed_dim'] = classEmb[1];
  }
  const scaleMul = shapes['blocks.0.attn.scale_mul_1H11'];
  out['attn_l2_norm'] = scaleMul !== undefined;
  if (scaleMul) out['num_heads'] = scaleMul[1];
  const fc1 = shapes['blocks.0.ffn.fc1.weight'];
  if (fc1) out['mlp_ratio'] = (fc1[0] as number) / (fc1[1] as number);
  out['shared_aln'] = 'shared_ada_lin.1.weight' in shapes;
  if (levelCounts) {
    out['patch_nums'] = levelCounts.map((n) => Math.round(Math.sqrt(n)));
  } else {
    const pos = shapes['pos_1LC'];
    const releasedL = RELEASED_PATCH_NUMS.reduce((s, pn) => s + pn * pn, 0);
    if (pos && pos[1] === releasedL) out['patch_nums'] = [...RELEASED_PATCH_NUMS];
  }
  return out;
}

/** Tokens per level from the int lvl_1L buffer's values (scale index of each position). */
export function levelCountsFromLevels(levels: ArrayLike<number>): number[] {
  const counts: number[] = [];
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i] as number;
    while (counts.length <= level) counts.push(0);
    counts[level] = (counts[level] as number) + 1;
  }
  return counts;
}

/**
 * Builds a full config from state-dict shapes, with `given` (either accepted config shape, possibly partial)
 * taking precedence over what the weights say. Values the weights determine and `given` contradicts are refused.
 */
export function inferVarModelConfig(
  vaeShapes: ShapeMap | undefined,
  varShapes: ShapeMap | undefined,
  options: { given?: unknown; levelCounts?: readonly number[] } = {},
): VarModelConfig {
  const given = toCanonicalPartial(options.given);
  const inferredVae = vaeShapes ? inferVqvaeArgs(vaeShapes) : {};
  const inferredVar = varShapes ? inferVarArgs(varShapes, options.levelCounts) : {};
  if (varShapes && inferredVar['num_heads'] === undefined && given.var['num_heads'] === undefined) {
    inferredVar['num_heads'] = inferredVar['depth'];
  }
  const wordEmbed = varShapes?.['word_embed.weight'];
  const head = varShapes?.['head.weight'];
  if (wordEmbed && inferredVae['z_channels'] === undefined) inferredVae['z_channels'] = wordEmbed[1];
  if (head && inferredVae['vocab_size'] === undefined) inferredVae['vocab_size'] = head[0];
  const conflicts: Array<{ path: string[]; message: string; received: unknown }> = [];
  checkAgreement(['vqvae'], inferredVae, given.vqvae, conflicts);
  checkAgreement(['var'], inferredVar, given.var, conflicts);
  if (wordEmbed && inferredVae['z_channels'] !== wordEmbed[1]) {
    conflicts.push({
      path: ['vqvae', 'z_channels'],
      message: `the VAR weights expect Cvae = ${wordEmbed[1]}`,
      received: inferredVae['z_channels'],
    });
  }
  if (conflicts.length) throw new ConfigError('VAR config (against the weights)', conflicts);
  const vqvae = { ...inferredVae, ...given.vqvae };
  const vars = { ...inferredVar, ...given.var };
  const patchNums = vars['patch_nums'] ?? vqvae['v_patch_nums'];
  if (patchNums !== undefined) {
    vars['patch_nums'] ??= patchNums;
    vqvae['v_patch_nums'] ??= patchNums;
  }
  return parseVarModelConfig({ vqvae, var: vars });
}

function toCanonicalPartial(value: unknown): { vqvae: Record<string, unknown>; var: Record<string, unknown> } {
  if (value === undefined || value === null) return { vqvae: {}, var: {} };
  if (typeof value !== 'object') throw new ConfigError('VAR config', [{ path: [], message: 'expected an object', received: value }]);
  const v = value as Record<string, unknown>;
  if ('vqvae_constructor' in v) {
    const c = parseVarModelConfig(v);
    return { vqvae: { ...c.vqvae }, var: { ...c.var } };
  }
  return {
    vqvae: { ...((v['vqvae'] as Record<string, unknown> | undefined) ?? {}) },
    var: { ...((v['var'] as Record<string, unknown> | undefined) ?? {}) },
  };
}

function checkAgreement(
  path: string[],
  inferred: Record<string, unknown>,
  given: Record<string, unknown>,
  out: Array<{ path: string[]; message: string; received: unknown }>,
): void {
  for (const [key, value] of Object.entries(inferred)) {
    if (!(key in given) || given[key] === undefined) continue;
    if (JSON.stringify(given[key]) !== JSON.stringify(value)) {
      out.push({ path: [...path, key], message: `the weights say ${JSON.stringify(value)}`, received: given[key] });
    }
  }
}

/** Number of distinct integer indices `i` among keys starting with `${prefix}${i}.` */
function countIndexed(shapes: ShapeMap, prefix: string): number {
  let max = -1;
  for (const key of Object.keys(shapes)) {
    if (!key.startsWith(prefix)) continue;
    const rest = key.slice(prefix.length);
    const match = /^(\d+)\./.exec(rest);
    if (match) max = Math.max(max, Number(match[1]));
  }
  return max + 1;
}
