/**
 * tfjs-core's own op suite (about 4,200 specs) on `cpu` and `native`: every spec that passes
 * on cpu must pass on native. The runner is test/tfjs-suite/run.ts (`npm run test:tfjs-suite`
 * prints the full report); here it runs as one test of `npm test`.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { it } from 'node:test';

it('tfjs-core op suite: no spec that passes on cpu fails on native', { timeout: 20 * 60_000 }, () => {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'test/tfjs-suite/run.ts'], {
    encoding: 'utf8',
    maxBuffer: 64 * 2 ** 20,
  });
  const summary = run.stdout.trim().split('\n').pop() ?? '';
  const match =
    /^tfjs suite: cpu (\d+) passed \/ (\d+) failed; native (\d+) passed \/ (\d+) failed; regressions (\d+)$/.exec(
      summary,
    );
  assert.ok(
    match,
    `the runner printed no summary (exit ${run.status}):\n${run.stdout.slice(-4000)}\n${run.stderr.slice(-2000)}`,
  );
  const [cpuPassed, , , , regressions] = match.slice(1).map(Number);
  assert.ok(cpuPassed > 4000, `only ${cpuPassed} specs passed on cpu: the suite did not really run`);
  assert.equal(regressions, 0, run.stdout.slice(-8000));
  assert.equal(run.status, 0, summary);
});
