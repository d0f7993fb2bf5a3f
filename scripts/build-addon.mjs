// Builds the native addon with node-gyp. Run by `npm install` (the package's install
// script) and by `npm run build:addon`. A failed build never fails the install: unforget
// then runs on the tfjs `cpu` backend and says once, at load, what to install.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuFeatures } from './cpu-fingerprint.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const addonPath = join(root, 'build', 'Release', 'unforget_native.node');

if (process.env.UNFORGET_SKIP_ADDON === '1') {
  console.log('unforget: UNFORGET_SKIP_ADDON=1, not building the native addon.');
  process.exit(0);
}
if (existsSync(addonPath) && !process.argv.includes('--force')) {
  console.log('unforget: native addon already built (npm run build:addon rebuilds it).');
  process.exit(0);
}

/** node-gyp: on PATH inside npm scripts; otherwise the copy that npm itself ships. */
function nodeGypCommand() {
  const onPath = spawnSync('node-gyp', ['--version'], {
    stdio: 'ignore',
    shell: process.platform === 'win32',
  });
  if (onPath.status === 0) return ['node-gyp'];
  const npmCli = process.env.npm_execpath;
  const candidates = [
    npmCli && join(dirname(npmCli), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    join(
      dirname(process.execPath),
      '..',
      'lib',
      'node_modules',
      'npm',
      'node_modules',
      'node-gyp',
      'bin',
      'node-gyp.js',
    ),
  ].filter(Boolean);
  const found = candidates.find((c) => existsSync(c));
  return found ? [process.execPath, found] : null;
}

const gyp = nodeGypCommand();
let ok = false;
if (gyp) {
  // Build against the headers of the running Node when they are installed beside it,
  // so that no header download is needed.
  const nodeDir = join(dirname(process.execPath), '..');
  const args = ['rebuild', '--release'];
  if (existsSync(join(nodeDir, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${nodeDir}`);
  const jobs = process.env.JOBS ?? 'max';
  const r = spawnSync(gyp[0], [...gyp.slice(1), ...args, `--jobs=${jobs}`], { cwd: root, stdio: 'inherit' });
  ok = r.status === 0 && existsSync(addonPath);
}

if (ok) {
  mkdirSync(dirname(addonPath), { recursive: true });
  const portable = process.env.UNFORGET_PORTABLE_BUILD === '1';
  writeFileSync(
    join(dirname(addonPath), 'unforget-build.json'),
    JSON.stringify({ arch: process.arch, portable, cpuFeatures: portable ? [] : cpuFeatures() }, null, 2) +
      '\n',
  );
  console.log('unforget: native addon built.');
} else {
  console.warn(
    '\nunforget: WARNING: the native addon could not be built, so unforget will run on the slower tfjs\n' +
      '`cpu` backend. Install a C++ compiler, make and python3 (Debian: apt-get install -y g++ make python3;\n' +
      'add libopenblas-dev for the fastest matrix products), then run `npm run build:addon`.\n',
  );
}
process.exit(0);
