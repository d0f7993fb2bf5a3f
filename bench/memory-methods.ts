/**
 * Wall time and stored memory of every replay method on Mammoth's Seq-MNIST protocol (issue 5's
 * benchmark): examples/der-seq-mnist/buffer-<n>.yaml (MLP 784-100-100-10, SGD, batch 10, one
 * epoch per task, each method with Mammoth's hyperparameters for that buffer), next to Naive.
 *
 *   npx tsx bench/memory-methods.ts [--buffer 500] [--rounds 3] [--out docs/bench/memory-methods.json]
 *
 * Each run goes through `runExperiment` (the CLI's runner), so its wall time is what a user
 * waits for: data already loaded, training and every evaluation included. Methods run
 * interleaved, round by round, and each round's time is also taken as a ratio to Naive's in the
 * same round (the machine is shared and noisy); the table gives medians over rounds. The
 * memory column is the bytes of the examples (and logits) the method stores at the end.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadRunConfig } from '../src/cli/config.js';
import { runExperiment } from '../src/cli/run-experiment.js';

const { values: args } = parseArgs({
  options: {
    buffer: { type: 'string', default: '500' },
    rounds: { type: 'string', default: '3' },
    out: { type: 'string' },
  },
});

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const config = loadRunConfig(join('examples', 'der-seq-mnist', `buffer-${args.buffer}.yaml`));
const strategies = [{ name: 'naive' }, ...config.strategies];
const scratch = mkdtempSync(join(tmpdir(), 'unforget-bench-'));
const quiet = { write: (_chunk: string) => true };

interface Sample {
  round: number;
  method: string;
  seconds: number;
  ratio: number;
  classIl: number;
  memoryBytes: number;
}
const samples: Sample[] = [];
for (let round = 0; round < Number(args.rounds); round++) {
  let naiveSeconds = NaN;
  for (const strategy of strategies) {
    const result = await runExperiment(
      { ...config, strategies: [strategy], out: scratch },
      { stdout: quiet, dir: join(scratch, `${round}-${strategy.name}`) },
    );
    const summary = result.summaries[strategy.name];
    if (strategy.name === 'naive') naiveSeconds = summary.wallSeconds;
    samples.push({
      round,
      method: strategy.name,
      seconds: summary.wallSeconds,
      ratio: summary.wallSeconds / naiveSeconds,
      classIl: summary.acc,
      memoryBytes: summary.methodMemoryBytes ?? 0,
    });
    process.stderr.write(`round ${round} ${strategy.name}: ${summary.wallSeconds.toFixed(1)} s\n`);
  }
}
rmSync(scratch, { recursive: true, force: true });

const lines = [
  `Seq-MNIST, buffer ${args.buffer}, medians over ${args.rounds} rounds (wall time of a whole run):`,
  '',
  '| method | wall s | × Naive | stored examples (KiB) | class-IL ACC % (seed 0) |',
  '|---|---|---|---|---|',
];
for (const { name } of strategies) {
  const mine = samples.filter((s) => s.method === name);
  lines.push(
    `| ${name} | ${median(mine.map((s) => s.seconds)).toFixed(1)} | ${median(mine.map((s) => s.ratio)).toFixed(2)} | ${(mine[0].memoryBytes / 1024).toFixed(0)} | ${(100 * mine[0].classIl).toFixed(1)} |`,
  );
}
console.log(lines.join('\n'));
if (args.out)
  writeFileSync(args.out, JSON.stringify({ buffer: Number(args.buffer), samples }, null, 1) + '\n');
