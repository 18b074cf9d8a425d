import { createWriteStream, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { Readable, type Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fsyncDirectory, temporarySibling } from '@nextx/core';

/**
 * Streams `source` (through `transforms`) into `path` atomically: everything goes to a temporary sibling that is
 * fsynced and renamed into place only when the stream completed, so a crash or an error leaves the old file or none.
 */
export async function streamToFileAtomic(
  path: string,
  source: Iterable<unknown> | AsyncIterable<unknown>,
  transforms: readonly Transform[] = [],
  options: { objectMode?: boolean } = {},
): Promise<void> {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = temporarySibling(path);
  const sink = createWriteStream(temporary, { flush: true });
  try {
    await pipeline([Readable.from(source, { objectMode: options.objectMode ?? true }), ...transforms, sink]);
    renameSync(temporary, path);
  } catch (error) {
    // A sink destroyed before its file was open still opens (creates) it, then closes: remove it after that.
    if (!sink.closed) await new Promise<void>((resolve) => sink.once('close', () => resolve()));
    rmSync(temporary, { force: true });
    throw error;
  }
  fsyncDirectory(dirname(path));
}
