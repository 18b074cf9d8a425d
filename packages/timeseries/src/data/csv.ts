import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { parse } from 'csv-parse';
import { InputError } from '@nextx/core';
import type { Series } from './series.js';

export interface TableSeriesOptions {
  /** Column holding the time stamps (default: the first whose name looks like one: date, time, year, month, …). */
  readonly timeColumn?: string | null;
  /** Value columns to read (default: every column whose values are numbers, besides time and series columns). */
  readonly targets?: readonly string[];
  /** Long format: one series per distinct value of this column (e.g. `symbol` in stocks.csv). */
  readonly seriesColumn?: string;
  /** 'mask' (default) keeps a missing value as masked; 'refuse' stops at the first, naming its row and column. */
  readonly missing?: 'mask' | 'refuse';
  /** Field delimiter (default: tab for .tsv, comma otherwise). */
  readonly delimiter?: string;
}

/** Cell texts read as a missing value. Any other text that is not a number is an error naming row and column. */
const MISSING = new Set(['', 'na', 'n/a', 'nan', 'null', 'none', '?']);
const TIME_NAME = /^(date|time|timestamp|datetime|ds|year|month|day|week|period)$/i;

interface Column {
  readonly name: string;
  readonly index: number;
}

/**
 * Builds series row by row (shared by the CSV stream and JSON records), keeping only the selected columns, so that a
 * large file is read in constant memory per kept value.
 */
class SeriesCollector {
  private readonly time: Column | undefined;
  private readonly group: Column | undefined;
  private readonly candidates: Column[];
  private readonly explicit: boolean;
  private readonly groups = new Map<string, { time: string[]; rows: number[]; values: number[][] }>();
  /** First non-numeric text of a candidate column (auto mode drops such columns). */
  private readonly notNumeric = new Map<string, string>();

  constructor(
    private readonly source: string,
    header: readonly string[],
    private readonly options: TableSeriesOptions,
  ) {
    const find = (name: string, what: string): Column => {
      const index = header.indexOf(name);
      if (index < 0) throw new InputError(`${source}: no ${what} column '${name}'; the columns are ${header.map((h) => `'${h}'`).join(', ')}`);
      return { name, index };
    };
    this.group = options.seriesColumn ? find(options.seriesColumn, 'series') : undefined;
    if (options.timeColumn === null) this.time = undefined;
    else if (options.timeColumn !== undefined) this.time = find(options.timeColumn, 'time');
    else {
      const index = header.findIndex((h) => TIME_NAME.test(h.trim()));
      this.time = index >= 0 ? { name: header[index] as string, index } : undefined;
    }
    this.explicit = options.targets !== undefined;
    this.candidates = this.explicit
      ? (options.targets as readonly string[]).map((t) => find(t, 'target'))
      : header.map((name, index) => ({ name, index })).filter((c) => c.index !== this.time?.index && c.index !== this.group?.index);
    if (this.candidates.length === 0) throw new InputError(`${source}: no value columns to read`);
  }

  add(cells: readonly unknown[], row: number): void {
    const key = this.group ? String(cells[this.group.index] ?? '') : '';
    let g = this.groups.get(key);
    if (!g) {
      g = { time: [], rows: [], values: this.candidates.map(() => []) };
      this.groups.set(key, g);
    }
    g.time.push(this.time ? String(cells[this.time.index] ?? '') : '');
    g.rows.push(row);
    this.candidates.forEach((column, c) => {
      const cell = cells[column.index];
      (g.values[c] as number[]).push(this.parseCell(cell, row, column));
    });
  }

  private parseCell(cell: unknown, row: number, column: Column): number {
    if (typeof cell === 'number') return Number.isFinite(cell) ? cell : this.missingAt(row, column);
    const text = cell === undefined || cell === null ? '' : String(cell).trim();
    if (MISSING.has(text.toLowerCase())) return this.missingAt(row, column);
    const value = Number(text);
    if (Number.isFinite(value)) return value;
    if (this.explicit) throw new InputError(`${this.source} row ${row}, column '${column.name}': '${text}' is not a number`);
    if (!this.notNumeric.has(column.name)) this.notNumeric.set(column.name, text);
    return Number.NaN;
  }

  private missingAt(row: number, column: Column): number {
    if (this.options.missing === 'refuse') {
      throw new InputError(`${this.source} row ${row}, column '${column.name}': missing value (missing: 'refuse'; use 'mask' to keep it masked)`);
    }
    return Number.NaN;
  }

  finish(): Series[] {
    const kept = this.candidates.filter((c) => !this.notNumeric.has(c.name));
    if (kept.length === 0) {
      const [name, text] = [...this.notNumeric.entries()][0] ?? ['?', '?'];
      throw new InputError(`${this.source}: no numeric value column (e.g. '${name}' holds '${text}'); name them with targets`);
    }
    const out: Series[] = [];
    for (const [key, g] of this.groups) {
      for (const column of kept) {
        const values = Float64Array.from(g.values[this.candidates.indexOf(column)] as number[]);
        const name = this.group ? (kept.length > 1 ? `${key}/${column.name}` : key) : column.name;
        out.push({ name, time: g.time, values, observed: Uint8Array.from(values, (v) => (Number.isFinite(v) ? 1 : 0)), source: this.source, rows: Uint32Array.from(g.rows) });
      }
    }
    if (out.length === 0 || (out[0] as Series).values.length === 0) throw new InputError(`${this.source}: no data rows`);
    return out;
  }
}

/**
 * Reads series from a CSV (or TSV) file, streaming: one series per value column (wide format) or per distinct value of
 * `seriesColumn` (long format). Rows are numbered as lines of the file (the header is row 1).
 */
export async function readCsvSeries(file: string, options: TableSeriesOptions = {}): Promise<Series[]> {
  if (!existsSync(file)) throw new InputError(`CSV file not found: ${file}`);
  const source = basename(file);
  const delimiter = options.delimiter ?? (extname(file).toLowerCase() === '.tsv' ? '\t' : ',');
  const parser = createReadStream(file).pipe(parse({ delimiter, info: true, relax_column_count: true, trim: true, bom: true }));
  let collector: SeriesCollector | undefined;
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      if (!collector) collector = new SeriesCollector(source, record, options);
      else collector.add(record, info.lines);
    }
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(`${source}: not a readable CSV file (${(error as Error).message})`, { cause: error });
  } finally {
    parser.destroy();
  }
  if (!collector) throw new InputError(`${source}: empty file`);
  return collector.finish();
}

/** Reads series from a JSON array of records (as vega-datasets' unemployment-across-industries.json); row = index + 1. */
export function readJsonSeries(file: string, options: TableSeriesOptions = {}): Series[] {
  const source = basename(file);
  let records: unknown;
  try {
    records = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new InputError(`${source}: not readable JSON (${(error as Error).message})`);
  }
  if (!Array.isArray(records) || records.length === 0 || typeof records[0] !== 'object') {
    throw new InputError(`${source}: expected a non-empty JSON array of records`);
  }
  const header = Object.keys(records[0] as object);
  const collector = new SeriesCollector(source, header, options);
  records.forEach((r, i) => collector.add(header.map((h) => (r as Record<string, unknown>)[h]), i + 1));
  return collector.finish();
}

/** CSV/TSV or JSON records, by extension. */
export async function readTableSeries(file: string, options: TableSeriesOptions = {}): Promise<Series[]> {
  return extname(file).toLowerCase() === '.json' ? readJsonSeries(file, options) : await readCsvSeries(file, options);
}
