/**
 * The engine benchmark of issue 2: training samples/s of every workload on `native`,
 * `cpu`, `wasm` and PyTorch, all in one run.
 *
 *   npm run bench                       # 3 rounds, the environment as-is
 *   npx tsx bench/run-all.ts --rounds 5 --out docs/bench/train-throughput.json
 *
 * Each configuration runs in its own process. The rounds interleave the configurations
 * (round 1: every config, round 2: every config, ...) so that load from elsewhere on this
 * shared machine hits all of them alike; a ratio to PyTorch is taken within each round and
 * the table reports medians over rounds.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '3' },
    workloads: { type: 'string', default: 'mlp256,mlp1024,cnn' },
    configs: {
      type: 'string',
      default: 'native,native-1t,native-openblas,native-portable,native-nopool,cpu,wasm,pytorch',
    },
    step: { type: 'string', default: 'unforget' },
    out: { type: 'string' },
  },
});

interface Config {
  name: string;
  command: (workload: string) => [string, string[], NodeJS.ProcessEnv];
  /** Backends 15-70x slower than PyTorch get one short pass per round. */
  slow?: boolean;
}

function torchPython(): string | null {
  for (const python of ['/usr/bin/python3', 'python3']) {
    const r = spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore' });
    if (r.status === 0) return python;
  }
  return null;
}

const tsx = (backend: string, workload: string, extra: string[] = []): [string, string[]] => [
  process.execPath,
  [
    '--import',
    'tsx',
    'bench/train-throughput.ts',
    '--backend',
    backend,
    '--workload',
    workload,
    '--step',
    args.step!,
    ...extra,
  ],
];

const python = torchPython();
const seconds = args.seconds!;
const ALL: Config[] = [
  {
    name: 'native',
    command: (w) => [...tsx('native', w, ['--passes', '1', '--seconds', seconds]), process.env],
  },
  {
    name: 'native-1t',
    command: (w) => [
      ...tsx('native', w, ['--passes', '1', '--seconds', seconds]),
      { ...process.env, UNFORGET_THREADS: '1' },
    ],
  },
  {
    // The same build, every matrix product on the linked OpenBLAS.
    name: 'native-openblas',
    command: (w) => [
      ...tsx('native', w, ['--passes', '1', '--seconds', seconds]),
      { ...process.env, UNFORGET_GEMM: 'openblas' },
    ],
  },
  {
    // The same build, every matrix product on unforget's own portable GEMM.
    name: 'native-portable',
    command: (w) => [
      ...tsx('native', w, ['--passes', '1', '--seconds', seconds]),
      { ...process.env, UNFORGET_GEMM: 'portable' },
    ],
  },
  {
    // The output-buffer pool switched off, to measure what it is worth.
    name: 'native-nopool',
    command: (w) => [
      ...tsx('native', w, ['--passes', '1', '--seconds', seconds]),
      { ...process.env, UNFORGET_POOL: '0' },
    ],
  },
  {
    name: 'cpu',
    slow: true,
    command: (w) => [...tsx('cpu', w, ['--passes', '1', '--seconds', '1', '--warmup', '2']), process.env],
  },
  {
    name: 'wasm',
    slow: true,
    command: (w) => [...tsx('wasm', w, ['--passes', '1', '--seconds', '1', '--warmup', '2']), process.env],
  },
  {
    name: 'pytorch',
    command: (w) => [
      python ?? 'python3',
      ['bench/torch_reference.py', '--workload', w, '--passes', '1', '--seconds', seconds],
      process.env,
    ],
  },
];

const configs = ALL.filter((c) => args.configs!.split(',').includes(c.name));
const workloads = args.workloads!.split(',');
const rounds = Number(args.rounds);
type Row = { samplesPerSecond: number | null; error?: string; gemm?: string; threads?: unknown };
const results: Record<string, Record<string, Row[]>> = {};

function runOne(config: Config, workload: string): Row {
  if (config.name === 'pytorch' && !python)
    return { samplesPerSecond: null, error: 'PyTorch not installed (Debian: python3-torch)' };
  const [cmd, argv, env] = config.command(workload);
  try {
    const out = execFileSync(cmd, argv, {
      env,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 15 * 60_000,
    });
    const line = out
      .trim()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .pop();
    if (!line) return { samplesPerSecond: null, error: 'no result line' };
    return JSON.parse(line) as Row;
  } catch (e) {
    const stderr = String((e as { stderr?: string }).stderr ?? e);
    // The thrown error's own line (not a line of minified source that mentions "Error").
    const reason = stderr.split('\n').find((l) => /^\s*\w*Error: /.test(l) && l.length < 400) ?? 'failed';
    return { samplesPerSecond: null, error: reason.trim().slice(0, 160) };
  }
}

for (let round = 0; round < rounds; round++) {
  for (const workload of workloads) {
    for (const config of configs) {
      const row = runOne(config, workload);
      ((results[workload] ??= {})[config.name] ??= []).push(row);
      process.stderr.write(
        `round ${round + 1}/${rounds} ${workload} ${config.name}: ${row.samplesPerSecond ?? row.error}\n`,
      );
    }
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0
    ? NaN
    : s.length % 2
      ? s[(s.length - 1) / 2]
      : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const summary: Record<
  string,
  Record<string, { median: number | null; runs: (number | null)[]; vsPytorch: number | null; error?: string }>
> = {};
for (const workload of workloads) {
  summary[workload] = {};
  const torchRuns = results[workload].pytorch?.map((r) => r.samplesPerSecond) ?? [];
  for (const config of configs) {
    const runs = results[workload][config.name].map((r) => r.samplesPerSecond);
    const ok = runs.filter((r): r is number => r !== null);
    // Ratios paired within a round, then the median of the ratios.
    const ratios = runs
      .map((r, i) => (r !== null && torchRuns[i] ? r / torchRuns[i]! : null))
      .filter((r): r is number => r !== null);
    summary[workload][config.name] = {
      median: ok.length ? Math.round(median(ok)) : null,
      runs,
      vsPytorch: ratios.length ? Number(median(ratios).toFixed(2)) : null,
      error: ok.length ? undefined : results[workload][config.name][0]?.error,
    };
  }
}

const header = `| backend | ${workloads.join(' | ')} |\n|---|${workloads.map(() => '---').join('|')}|`;
const lines = configs.map((c) => {
  const cells = workloads.map((w) => {
    const s = summary[w][c.name];
    if (s.median === null) return `n/a (${s.error})`;
    return c.name === 'pytorch' ? `${s.median}` : `${s.median} (${s.vsPytorch ?? '?'}x)`;
  });
  return `| ${c.name} | ${cells.join(' | ')} |`;
});
console.log(`Training samples/s, median of ${rounds} rounds (ratio to PyTorch in the same round):\n`);
console.log([header, ...lines].join('\n'));
const env = {
  OPENBLAS_CORETYPE: process.env.OPENBLAS_CORETYPE ?? null,
  OPENBLAS_L2_SIZE: process.env.OPENBLAS_L2_SIZE ?? null,
};
console.log(`\nenvironment: ${JSON.stringify(env)}`);
if (args.out) {
  if (!existsSync(dirname(args.out))) mkdirSync(dirname(args.out), { recursive: true });
  writeFileSync(
    args.out,
    JSON.stringify({ date: new Date().toISOString(), rounds, env, step: args.step, summary }, null, 2) + '\n',
  );
}
