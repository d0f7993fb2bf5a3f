/**
 * What a user who runs `npm install unforget` gets, made the way npm makes it: the project copied
 * to a temporary folder (never packed in the working checkout, where a stale dist/ would be
 * shipped in place of edited sources) and packed there, its `prepack` building dist/; then the
 * tarball installed into a new, empty project. Used by test/package-install.test.ts and
 * bench/install-size.ts.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';

/** Top-level entries of a checkout that are built or installed, not sources. */
const NOT_SOURCES = new Set(['node_modules', 'dist', 'build', '.git', 'runs', '.bench-out']);

export interface PackedCopy {
  readonly tarball: string;
  /** The paths inside the package, as `npm pack` lists them. */
  readonly files: readonly string[];
  readonly seconds: number;
}

/** `npm` with arguments in `cwd`; throws with npm's output when it fails. */
function npm(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = process.env): string {
  const run = spawnSync('npm', args, { cwd, encoding: 'utf8', env, maxBuffer: 64 << 20 });
  if (run.status !== 0) {
    throw new Error(
      `npm ${args.join(' ')} failed (exit ${run.status}) in ${cwd}:\n${run.stdout}\n${run.stderr}`,
    );
  }
  return run.stdout;
}

/** Packs a copy of the project at `root` (its node_modules linked in, for the build's tools). */
export function packCopy(root = process.cwd()): PackedCopy {
  const work = mkdtempSync(join(tmpdir(), 'unforget-pack-'));
  const copy = join(work, 'unforget');
  cpSync(root, copy, {
    recursive: true,
    filter: (source) => !NOT_SOURCES.has(relative(root, source).split(/[\\/]/)[0]),
  });
  symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'), 'dir');
  const start = performance.now();
  const out = npm(['pack', '--json', '--pack-destination', work], copy);
  const seconds = (performance.now() - start) / 1000;
  // Lifecycle scripts may print before npm's JSON.
  const [report] = JSON.parse(out.slice(out.search(/^\[/m))) as {
    filename: string;
    files: { path: string }[];
  }[];
  return { tarball: join(work, basename(report.filename)), files: report.files.map((f) => f.path), seconds };
}

export interface InstalledProject {
  readonly dir: string;
  readonly seconds: number;
}

/**
 * A new ES module project with `tarball` and `extra` packages installed from the registry (its
 * cache first). It allows unforget's install script, which builds the addon (npm 12 runs a
 * dependency's install script only when the project allows it).
 */
export function installInto(tarball: string, extra: readonly string[] = []): InstalledProject {
  const dir = mkdtempSync(join(tmpdir(), 'unforget-user-'));
  const manifest = {
    name: 'a-user-project',
    private: true,
    type: 'module',
    allowScripts: { unforget: true },
  };
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  const start = performance.now();
  npm(['install', tarball, ...extra, '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], dir);
  return { dir, seconds: (performance.now() - start) / 1000 };
}

/** Bytes of the files under `dir` (their apparent sizes, as `du --apparent-size -b`). */
export function folderBytes(dir: string): number {
  let bytes = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) bytes += folderBytes(path);
    else if (entry.isFile()) bytes += statSync(path).size;
  }
  return bytes;
}
