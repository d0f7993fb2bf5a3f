import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { consoleLogger, type ConsoleStream } from './console.js';
import { onlineRunEvents, runEvents } from './testing/run-events.js';

function capture(isTTY: boolean): ConsoleStream & { text: () => string } {
  const chunks: string[] = [];
  return {
    isTTY,
    write: (s: string) => chunks.push(s),
    text: () => chunks.join(''),
  };
}

describe('consoleLogger', () => {
  it('prints plain lines on a non-TTY stream, then the matrix and the summary at run-end', async () => {
    const stream = capture(false);
    const logger = consoleLogger({ stream, epochs: 2 });
    for (const event of runEvents()) logger.onEvent(event);
    await logger.close!();
    const text = stream.text();
    assert.ok(!text.includes('\x1B'), 'no terminal escape codes in plain mode');
    assert.match(text, /^naive: 3 experiences \(class-il\)\n/);
    assert.match(text, /experience 0: classes 0,1\n/);
    assert.match(text, / {2}epoch 2\/2 {2}loss 0\.4000 {2}200 samples\/s {2}0\.50 s\n/);
    assert.match(text, / {2}eval after experience 1: 50\.0 80\.0 20\.0\n/);
    assert.ok(
      text.includes(
        [
          'after\\exp      0      1      2',
          '        0   90.0   10.0   10.0',
          '        1   50.0   80.0   20.0',
          '        2   30.0   40.0   70.0',
        ].join('\n'),
      ),
    );
    assert.match(
      text,
      /naive: ACC 46\.7% {2}forgetting 50\.0% {2}BWT -50\.0% {2}FWT 5\.0% {2}wall 9\.0 s\n$/,
    );
  });

  it('draws a progress bar per experience on a TTY, and plain lines when CI=true', async () => {
    const tty = Object.assign(capture(true), {
      columns: 200,
      cursorTo: () => true,
      clearLine: () => true,
      moveCursor: () => true,
    });
    // The bar is for terminals outside CI; this part of the test must not inherit CI=true.
    const savedCi = process.env.CI;
    delete process.env.CI;
    try {
      const withBar = consoleLogger({ stream: tty, epochs: 2 });
      for (const event of runEvents()) withBar.onEvent(event);
      await withBar.close!();
    } finally {
      if (savedCi !== undefined) process.env.CI = savedCi;
    }
    assert.match(
      tty.text(),
      /experience 2 \[[^\]]+\] 100% \| epoch 2\/2 \| 200 samples\/s \| loss 0\.4000 \| ETA/,
    );
    assert.ok(!tty.text().includes('  epoch 1/2'));
    assert.match(tty.text(), /naive: ACC 46\.7%/);

    const saved = process.env.CI;
    process.env.CI = 'true';
    try {
      const ci = Object.assign(capture(true), { columns: 200 });
      const logger = consoleLogger({ stream: ci, epochs: 2 });
      for (const event of runEvents()) logger.onEvent(event);
      assert.ok(ci.text().includes('  epoch 1/2'));
      assert.ok(!ci.text().includes('\x1B'));
    } finally {
      if (saved === undefined) delete process.env.CI;
      else process.env.CI = saved;
    }
  });

  it('says why there is no summary when the run is incomplete', () => {
    const stream = capture(false);
    const logger = consoleLogger({ stream });
    const events = runEvents();
    for (const event of events.slice(0, 7)) logger.onEvent(event);
    logger.onEvent({ type: 'run-end', seconds: 1 });
    assert.match(stream.text(), /naive: no summary: no evaluation after experience 1/);
  });

  it("prints an online run's drift detection: the watch, each drift with its delay, and a summary", async () => {
    const stream = capture(false);
    const logger = consoleLogger({ stream, epochs: 2 });
    for (const event of onlineRunEvents()) logger.onEvent(event);
    await logger.close!();
    const lines = stream
      .text()
      .split('\n')
      .filter((line) => line.includes('drift'));
    assert.deepEqual(lines, [
      'drift: adwin on the prequential error; boundaries at 200, 400 (of 600 examples)',
      '  drift (adwin) at example 57, step 5, experience 0: before the first boundary',
      '  drift (adwin) at example 223, step 22, experience 1: delay 24 after the boundary at 200',
      '  drift (adwin) at example 251, step 25, experience 1: delay 52 after the boundary at 200',
      '  drift (adwin) at example 415, step 41, experience 2: delay 16 after the boundary at 400',
      'naive: drift (adwin): 2 of 2 boundaries detected, mean delay 20.0 examples, 2 false alarms',
    ]);
    // A run without drift detection prints none of it.
    const plain = capture(false);
    const quiet = consoleLogger({ stream: plain, epochs: 2 });
    for (const event of runEvents()) quiet.onEvent(event);
    assert.doesNotMatch(plain.text(), /drift/);
  });

  it('holds the drift lines while a progress bar is drawn, and prints them when it ends', async () => {
    const tty = Object.assign(capture(true), {
      columns: 200,
      cursorTo: () => true,
      clearLine: () => true,
      moveCursor: () => true,
    });
    const savedCi = process.env.CI;
    delete process.env.CI;
    try {
      const logger = consoleLogger({ stream: tty, epochs: 2 });
      for (const event of onlineRunEvents()) logger.onEvent(event);
      await logger.close!();
    } finally {
      if (savedCi !== undefined) process.env.CI = savedCi;
    }
    const text = tty.text();
    const line = text.indexOf('  drift (adwin) at example 223');
    assert.ok(line > text.lastIndexOf('experience 1 ['), 'after the bar of experience 1');
    assert.ok(line < text.indexOf('experience 1: trained in'), 'as that bar stops');
    assert.ok(text.indexOf('  drift (adwin) at example 251') > line, 'in order');
  });
});
