import { existsSync, readdirSync, statSync } from 'node:fs';
import { isAbsolute, join, parse, resolve } from 'node:path';
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

/**
 * The run folders named by `args`: folders, glob patterns, or a folder of run folders (as
 * `--out` of `unforget run` makes: each child with a config.json is a run; hidden ones are not). An argument that
 * names nothing, or no run, is an error naming it; each folder appears once.
 */
export function resolveRunFolders(args: readonly string[], cwd = process.cwd()): string[] {
  const found: string[] = [];
  for (const arg of args) {
    const matches = hasWildcard(arg) ? expandGlob(arg, cwd) : [arg];
    if (matches.length === 0) throw new DataFormatError(arg, 'matches no file or folder');
    for (const match of matches) {
      const dir = resolve(cwd, match);
      if (!existsSync(dir) || !statSync(dir).isDirectory()) {
        // A glob may also match stray files next to run folders; a named argument may not.
        if (hasWildcard(arg)) continue;
        throw new DataFormatError(arg, 'no such folder: expected a run folder or a folder of run folders');
      }
      if (isRunFolder(dir)) {
        found.push(dir);
        continue;
      }
      const children = readdirSync(dir, { withFileTypes: true })
        .filter((e) => e.isDirectory() && !e.name.startsWith('.') && isRunFolder(join(dir, e.name)))
        .map((e) => join(dir, e.name))
        .sort();
      if (children.length === 0 && !hasWildcard(arg)) {
        throw new DataFormatError(match, 'not a run folder (no config.json) and holds no run folders');
      }
      found.push(...children);
    }
  }
  if (found.length === 0) throw new DataFormatError(args.join(' '), 'no run folders found');
  return [...new Set(found)];
}
