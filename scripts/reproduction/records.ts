/**
 * What every reproduction script shares: per-seed run records kept in a JSON file (so an
 * interrupted study resumes where it stopped), cells of docs/results.json in the format
 * (values in %), and a generated block of docs/results.md between markers. Every file is written
 * Prettier-formatted, through a temp file and a rename, so an interrupted write never leaves a
 * truncated file behind.
 */
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { dirname } from 'node:path';
import * as prettier from 'prettier';

/** One cell of docs/results.json (values in %). */
export interface ResultEntry {
  benchmark: string;
  scenario: string;
  method: string;
  metric: string;
  mean: number;
  std: number | null;
  seeds: number[];
  published: number | null;
  source: string;
  command: string;
}

/** Writes `text` formatted as the repository's Prettier config says, via a temp file and a rename. */
export async function writeAtomically(path: string, text: string): Promise<void> {
  mkdirSync(dirname(path), { recursive: true });
  const options = (await prettier.resolveConfig(path)) ?? {};
  const formatted = await prettier.format(text, { ...options, filepath: path });
  const temp = `${path}.tmp-${process.pid}`;
  writeFileSync(temp, formatted);
  renameSync(temp, path);
}

export const readJson = <T>(path: string, fallback: T): T =>
  existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as T) : fallback;

export const round2 = (v: number) => Math.round(v * 100) / 100;

/** Mean and sample standard deviation (null for a single value). */
export function meanStd(values: number[]): { mean: number; std: number | null } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  if (values.length < 2) return { mean, std: null };
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1);
  return { mean, std: Math.sqrt(variance) };
}

/** A lock left behind by a killed process is taken over after this long. */
const STALE_LOCK_MS = 120_000;

/**
 * Runs `update` while holding `<path>.lock` (created exclusively), so that a read-modify-write of
 * `path` by two processes at once cannot lose one's change: formatting the file is asynchronous,
 * and two studies finishing together once dropped a record between one's read and its write.
 */
export async function withFileLock<R>(path: string, update: () => Promise<R>): Promise<R> {
  mkdirSync(dirname(path), { recursive: true });
  const lock = `${path}.lock`;
  for (;;) {
    try {
      closeSync(openSync(lock, 'wx'));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      try {
        if (Date.now() - statSync(lock).mtimeMs > STALE_LOCK_MS) rmSync(lock, { force: true });
      } catch {
        // The holder released it meanwhile: try again.
      }
      await sleep(50);
    }
  }
  try {
    return await update();
  } finally {
    rmSync(lock, { force: true });
  }
}

/**
 * Adds `fresh` to the records in the file at `path` as it is now (re-read under a lock, so that
 * two runs of a script at once both keep their records), replacing any with the same key;
 * returns them all.
 */
export async function appendRecords<T>(
  path: string,
  fresh: readonly T[],
  key: (r: T) => string,
): Promise<T[]> {
  return withFileLock(path, async () => {
    const keys = new Set(fresh.map(key));
    const all = [...readJson<T[]>(path, []).filter((r) => !keys.has(key(r))), ...fresh];
    await writeAtomically(path, JSON.stringify(all, null, 1) + '\n');
    return all;
  });
}

/** Groups `records` by `key`, keeping first-seen order. */
export function groupBy<T>(records: readonly T[], key: (r: T) => string): T[][] {
  const groups = new Map<string, T[]>();
  for (const r of records) groups.set(key(r), [...(groups.get(key(r)) ?? []), r]);
  return [...groups.values()];
}

/** Replaces this study's entries of results.json (those whose source starts with `source`). */
export async function mergeResultsJson(path: string, source: string, entries: ResultEntry[]): Promise<void> {
  await withFileLock(path, async () => {
    const others = readJson<ResultEntry[]>(path, []).filter((e) => !e.source.startsWith(source));
    // Studies in a fixed order (by source; the sort is stable), whichever script wrote last.
    const all = [...others, ...entries].sort((a, b) => a.source.localeCompare(b.source));
    await writeAtomically(path, JSON.stringify(all, null, 2) + '\n');
  });
}

/** The lines of a Markdown table: the header, its rule, then one line per row. */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), `|${header.map(() => '---|').join('')}`, ...rows.map(line)];
}

/**
 * Replaces the block between `<!-- <marker>:begin` and `<!-- <marker>:end -->` in the Markdown
 * file at `path` (appended when absent) with `lines`, framed by the markers.
 */
export async function replaceGeneratedBlock(
  path: string,
  marker: string,
  generator: string,
  lines: string[],
): Promise<void> {
  const begin = `<!-- ${marker}:begin`;
  const endMarker = `<!-- ${marker}:end -->`;
  const block = [`${begin} (generated by ${generator}; do not edit) -->`, '', ...lines, '', endMarker].join(
    '\n',
  );
  await withFileLock(path, async () => {
    const existing = existsSync(path) ? readFileSync(path, 'utf8') : '# Reproduced results\n';
    const from = existing.indexOf(begin);
    const to = existing.indexOf(endMarker);
    const text =
      from >= 0 && to > from
        ? existing.slice(0, from) + block + existing.slice(to + endMarker.length)
        : `${existing.trimEnd()}\n\n${block}\n`;
    await writeAtomically(path, text);
  });
}
