import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, parse, resolve, sep } from 'node:path';
import { DataFormatError } from '../../core/errors.js';

const hasWildcard = (segment: string) => /[*?[]/.test(segment);

/** A glob segment (`*`, `?`, `[abc]`) as a regular expression for one file name. */
function segmentPattern(segment: string): RegExp {
  let source = '';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i];
    if (c === '*') source += '[^/\\\\]*';
    else if (c === '?') source += '[^/\\\\]';
    else if (c === '[') {
      const end = segment.indexOf(']', i + 1);
      if (end < 0) source += '\\[';
      else {
        source += `[${segment
          .slice(i + 1, end)
          .replace(/^!/, '^')
          .replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else source += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

/**
 * Expands a glob pattern with `*`, `?` and `[...]` in any path segment (the shell does this
 * already on Unix; quoting the pattern, or Windows, leaves it to us). Hidden entries match only
 * a pattern that starts with a dot, as in the shell.
 */
export function expandGlob(pattern: string, cwd = process.cwd()): string[] {
  // '' stands for `cwd`; an absolute pattern starts from its root ('/' or 'C:\\').
  const root = isAbsolute(pattern) ? parse(pattern).root : '';
  const segments = pattern
    .slice(root.length)
    .split(/[/\\]+/)
    .filter(Boolean);
  let paths = [root];
  for (const segment of segments) {
    const next: string[] = [];
    for (const base of paths) {
      const dir = resolve(cwd, base === '' ? '.' : base);
      if (!hasWildcard(segment)) {
        const path = base === '' ? segment : join(base, segment);
        if (existsSync(resolve(cwd, path))) next.push(path);
        continue;
      }
      if (!existsSync(dir) || !statSync(dir).isDirectory()) continue;
      const re = segmentPattern(segment);
      for (const name of readdirSync(dir).sort()) {
        if (name.startsWith('.') && !segment.startsWith('.')) continue;
        if (re.test(name)) next.push(base === '' ? name : join(base, name));
      }
    }
    paths = next;
  }
  return paths;
}

const isRunFolder = (dir: string) => existsSync(join(dir, 'config.json'));
const isFinished = (dir: string) => existsSync(join(dir, 'results.json'));

/** The run folders that `resolveRunFolders` found. */
export interface RunFolders {
  /** Absolute paths, each once, in the order of the arguments (sorted within a glob or folder). */
  readonly runs: readonly string[];
  /**
   * Run folders found by a glob or inside a folder of runs that have no results.json (a run
   * still going, or one that crashed): left out, for the caller to mention.
   */
  readonly unfinished: readonly string[];
}

/**
 * The run folders named by `args`: folders, glob patterns, or a folder of run folders (as
 * `--out` of `unforget run` makes: each child with a config.json is a run; hidden ones are not).
 * An argument that names nothing, or no run, is an error naming it. A run folder named itself is
 * always taken (reading it names what is missing); one found by expansion is taken when finished.
 */
export function resolveRunFolders(args: readonly string[], cwd = process.cwd()): RunFolders {
  const runs: string[] = [];
  const unfinished: string[] = [];
  const take = (dir: string) => (isFinished(dir) ? runs : unfinished).push(dir);
  for (const arg of args) {
    const glob = hasWildcard(arg);
    const matches = glob ? expandGlob(arg, cwd) : [arg];
    if (matches.length === 0) throw new DataFormatError(arg, 'matches no file or folder');
    for (const match of matches) {
      const dir = resolve(cwd, match);
      if (!existsSync(dir) || !statSync(dir).isDirectory()) {
        // A glob may also match stray files next to run folders; a named argument may not.
        if (glob) continue;
        throw new DataFormatError(arg, 'no such folder: expected a run folder or a folder of run folders');
      }
      if (isRunFolder(dir)) {
        if (glob) take(dir);
        else runs.push(dir);
        continue;
      }
      const children = readdirSync(dir, { withFileTypes: true })
        .filter((e) => e.isDirectory() && !e.name.startsWith('.') && isRunFolder(join(dir, e.name)))
        .map((e) => join(dir, e.name))
        .sort();
      if (children.length === 0 && !glob) {
        throw new DataFormatError(match, 'not a run folder (no config.json) and holds no run folders');
      }
      children.forEach(take);
    }
  }
  const unique = [...new Set(runs)];
  if (unique.length === 0) {
    const detail = unfinished.length
      ? `no finished run folders (unfinished: ${unfinished.join(', ')})`
      : 'no run folders found';
    throw new DataFormatError(args.join(' '), detail);
  }
  return { runs: unique, unfinished: [...new Set(unfinished)].filter((d) => !unique.includes(d)) };
}

/** The folder that holds all of `dirs`: their parents' deepest common ancestor. */
export function commonParent(dirs: readonly string[]): string {
  const parts = dirs.map((dir) => dirname(resolve(dir)).split(sep));
  const shared: string[] = [];
  for (let i = 0; parts.every((p) => i < p.length && p[i] === parts[0][i]); i++) shared.push(parts[0][i]);
  return shared.join(sep) || sep;
}
