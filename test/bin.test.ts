/**
 * bin/unforget.mjs picks what to run: the build (dist/) in an installed package or a checkout whose
 * build is current, the sources when they were edited after the build (saying so), and the
 * sources where there is no build. Tried on a copy of the launcher beside stand-in entry points.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

function layout({ build, sources }: { build: boolean; sources: boolean }) {
  const dir = mkdtempSync(join(tmpdir(), 'unforget-bin-'));
  mkdirSync(join(dir, 'bin'));
  copyFileSync('bin/unforget.mjs', join(dir, 'bin', 'unforget.mjs'));
  symlinkSync(join(process.cwd(), 'node_modules'), join(dir, 'node_modules'), 'dir');
  // An ES module package, as unforget's own package.json declares.
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
  if (build) {
    mkdirSync(join(dir, 'dist', 'cli'), { recursive: true });
    writeFileSync(join(dir, 'dist', 'cli', 'main.js'), "console.log('the build');\n");
  }
  if (sources) {
    mkdirSync(join(dir, 'src', 'cli'), { recursive: true });
    writeFileSync(
      join(dir, 'src', 'cli', 'main.ts'),
      "const from: string = 'the sources';\nconsole.log(from);\n",
    );
  }
  return dir;
}

const age = (file: string, secondsAgo: number) => {
  const t = Date.now() / 1000 - secondsAgo;
  utimesSync(file, t, t);
};

function launch(dir: string) {
  const r = spawnSync(process.execPath, [join(dir, 'bin', 'unforget.mjs')], { encoding: 'utf8' });
  rmSync(dir, { recursive: true, force: true });
  return { status: r.status, stdout: r.stdout.trim(), stderr: r.stderr.trim() };
}

describe('bin/unforget.mjs', () => {
  it('runs the build in an installed package (no sources), saying nothing', () => {
    assert.deepEqual(launch(layout({ build: true, sources: false })), {
      status: 0,
      stdout: 'the build',
      stderr: '',
    });
  });

  it('runs the build when it is newer than every source', () => {
    const dir = layout({ build: true, sources: true });
    age(join(dir, 'src', 'cli', 'main.ts'), 60);
    assert.deepEqual(launch(dir), { status: 0, stdout: 'the build', stderr: '' });
  });

  it('runs the sources when one was edited after the build, and says so', () => {
    const dir = layout({ build: true, sources: true });
    age(join(dir, 'dist', 'cli', 'main.js'), 60);
    assert.deepEqual(launch(dir), {
      status: 0,
      stdout: 'the sources',
      stderr: 'unforget: src/ is newer than dist/; running the sources (npm run build updates dist/)',
    });
  });

  it('runs the sources where nothing was built, saying nothing', () => {
    assert.deepEqual(launch(layout({ build: false, sources: true })), {
      status: 0,
      stdout: 'the sources',
      stderr: '',
    });
  });
});
