// Builds the native addon with node-gyp. Run by `npm install` (the package's install
// script) and by `npm run build:addon` (`--force`: rebuild even if built).
//
// It must never fail the install: whatever goes wrong (no compiler, no node-gyp, no
// headers, a broken BLAS), it prints one warning saying what to install and exits 0, and
// unforget then runs on the tfjs `cpu` backend (src/engine/backend.ts warns once at load).
// A BLAS that fails to compile or link only costs speed: the build is retried with the
// addon's own portable GEMM (UNFORGET_BLAS=none).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuFeatures } from '../src/native/addon/cpu-features.mjs';
import { detectBlas } from './detect-blas.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const addonPath = join(root, 'build', 'Release', 'unforget_native.node');

// What to install, by platform: this is the one message a user without a compiler sees.
const INSTALL_HINT =
  process.platform === 'darwin'
    ? 'install the Xcode command line tools (xcode-select --install)'
    : process.platform === 'win32'
      ? 'install Python 3 and Visual Studio Build Tools (workload "Desktop development with C++")'
      : 'install a C++ compiler, make and python3 (Debian/Ubuntu: apt-get install -y g++ make python3;\n' +
        'Fedora: dnf install -y gcc-c++ make python3), and optionally OpenBLAS for even faster matrix\n' +
        'products (libopenblas-dev; Fedora: openblas-devel)';

/** node-gyp: on PATH inside npm scripts; otherwise the copy that npm itself ships. */
function nodeGypCommand() {
  const onPath = spawnSync('node-gyp', ['--version'], {
    stdio: 'ignore',
    shell: process.platform === 'win32',
  });
  if (onPath.status === 0) return ['node-gyp'];
  const npmCli = process.env.npm_execpath; // .../npm/bin/npm-cli.js when run by npm
  const nodeBin = dirname(process.execPath);
  const bundled = ['npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'];
  const candidates = [
    process.env.npm_config_node_gyp, // npm's own node-gyp.js, set in its lifecycle scripts
    npmCli && join(dirname(npmCli), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    join(nodeBin, '..', 'lib', 'node_modules', ...bundled), // Unix: <prefix>/bin/node
    join(nodeBin, 'node_modules', ...bundled), // Windows: <prefix>\node.exe
  ].filter(Boolean);
  const found = candidates.find((c) => existsSync(c));
  return found ? [process.execPath, found] : null;
}

/** node-gyp's arguments: the headers of the running Node when they are installed beside it. */
function gypArgs() {
  const args = ['rebuild', '--release', `--jobs=${process.env.JOBS ?? 'max'}`];
  const nodeDir = join(dirname(process.execPath), '..');
  const headers = join(nodeDir, 'include', 'node');
  // Without --nodedir node-gyp downloads the headers once (into ~/.cache/node-gyp).
  if (existsSync(join(headers, 'node_api.h')) && existsSync(join(headers, 'common.gypi'))) {
    args.push(`--nodedir=${nodeDir}`);
  }
  return args;
}

/** One node-gyp build with the given BLAS; true when it produced the addon. */
function build(gyp, blas) {
  const r = spawnSync(gyp[0], [...gyp.slice(1), ...gypArgs()], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, UNFORGET_BLAS: blas },
    shell: process.platform === 'win32' && gyp.length === 1,
  });
  return r.status === 0 && existsSync(addonPath);
}

/** Records what the addon was built for; src/native/addon-loader.ts checks it at load. */
function writeBuildRecord(blas) {
  const portable = process.env.UNFORGET_PORTABLE_BUILD === '1';
  const record = { arch: process.arch, portable, blas, cpuFeatures: portable ? [] : cpuFeatures() };
  mkdirSync(dirname(addonPath), { recursive: true });
  writeFileSync(join(dirname(addonPath), 'unforget-build.json'), JSON.stringify(record, null, 2) + '\n');
}

function warn(why) {
  console.warn(
    `\nunforget: WARNING: the native addon could not be built (${why}).\n` +
      `unforget will run on the slower tfjs \`cpu\` backend. For the fast native backend,\n` +
      `${INSTALL_HINT},\nthen run \`npm run build:addon\`.\n`,
  );
}

function main() {
  if (process.env.UNFORGET_SKIP_ADDON === '1') {
    console.log('unforget: UNFORGET_SKIP_ADDON=1, not building the native addon.');
    return;
  }
  if (existsSync(addonPath) && !process.argv.includes('--force')) {
    console.log('unforget: native addon already built (npm run build:addon rebuilds it).');
    return;
  }
  const gyp = nodeGypCommand();
  if (!gyp) return warn('node-gyp, which comes with npm, was not found');
  const blas = detectBlas();
  let built = blas;
  if (!build(gyp, blas)) {
    if (blas === 'none') return warn('the C++ build failed, see above');
    console.warn(
      `\nunforget: the build with ${blas} failed; trying again without it (with the portable GEMM).\n`,
    );
    built = 'none';
    if (!build(gyp, built)) return warn('the C++ build failed, see above');
  }
  writeBuildRecord(built);
  console.log(`unforget: native addon built (GEMM: ${built === 'none' ? 'portable' : built}).`);
}

try {
  main();
} catch (e) {
  warn(`unexpected error: ${e instanceof Error ? e.message : String(e)}`);
}
process.exit(0);
