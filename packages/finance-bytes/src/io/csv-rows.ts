import { createReadStream, existsSync } from 'node:fs';
import { parse } from 'csv-parse';
import { InputError } from '@nextx/core';

export interface CsvRow {
  readonly fields: readonly string[];
  /** 1-based line number in the file (for messages). */
  readonly line: number;
}

export interface CsvReadOptions {
  readonly delimiter?: string;
  /** Skip the first line (a header). */
  readonly header?: boolean;
}

/**
 * The rows of a CSV file, streamed by csv-parse (quoting, CRLF and delimiters as RFC 4180), each with its line
 * number. Malformed CSV is an InputError naming the file and line.
 */
export async function* readCsvRows(file: string, options: CsvReadOptions = {}): AsyncGenerator<CsvRow> {
  if (!existsSync(file)) throw new InputError(`${file}: no such file`);
  const parser = createReadStream(file).pipe(
    parse({ delimiter: options.delimiter ?? ',', info: true, skip_empty_lines: true, from_line: options.header ? 2 : 1, relax_column_count: true }),
  );
  try {
    for await (const item of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      yield { fields: item.record, line: item.info.lines };
    }
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(`${file}: not readable as CSV: ${(error as Error).message}`, { cause: error });
  } finally {
    parser.destroy();
  }
}

/** An InputError naming file, line and column. */
export function csvFieldError(file: string, line: number, column: string, detail: string): InputError {
  return new InputError(`${file}:${line}: column '${column}' ${detail}`);
}
