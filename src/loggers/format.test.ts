import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatMatrix, formatSummaryTable, percent } from './format.js';

describe('percent', () => {
  it('gives one decimal, and n/a for NaN', () => {
    assert.equal(percent(0.4567), '45.7');
    assert.equal(percent(-0.5), '-50.0');
    assert.equal(percent(NaN), 'n/a');
  });
});

describe('formatMatrix', () => {
  it('puts row i = after experience i, column j = experience j, in percent', () => {
    assert.equal(
      formatMatrix([
        [0.9, 0.1],
        [0.505, 1],
      ]),
      ['after\\exp      0      1', '        0   90.0   10.0', '        1   50.5  100.0'].join('\n'),
    );
  });
});

describe('formatSummaryTable', () => {
  it('aligns every column: names left, numbers right', () => {
    const table = formatSummaryTable([
      {
        strategy: 'naive',
        acc: 0.2,
        forgetting: 0.75,
        bwt: -0.75,
        fwt: 0.01,
        wallSeconds: 12.34,
        peakRssBytes: 512 * 1024 * 1024,
      },
      {
        strategy: 'ewc-online',
        acc: 0.655,
        forgetting: 0.1,
        bwt: -0.1,
        fwt: NaN,
        wallSeconds: 123.4,
        peakRssBytes: 1.5 * 1024 * 1024,
      },
    ]);
    assert.equal(
      table,
      [
        'strategy    ACC %  forgetting %  BWT %  FWT %  wall s  peak RSS MiB',
        '----------  -----  ------------  -----  -----  ------  ------------',
        'naive        20.0          75.0  -75.0    1.0    12.3         512.0',
        'ewc-online   65.5          10.0  -10.0    n/a   123.4           1.5',
      ].join('\n'),
    );
    // Every line is as wide as the header: the columns line up.
    const lines = table.split('\n');
    for (const line of lines) assert.equal(line.length, lines[0].length);
  });

  it('adds task-aware accuracy and stored memory columns when a run has them', () => {
    const common = { forgetting: 0.1, bwt: -0.1, fwt: 0, wallSeconds: 4.5, peakRssBytes: 600 * 1024 * 1024 };
    const table = formatSummaryTable([
      { strategy: 'naive', acc: 0.197, ...common },
      { strategy: 'er', acc: 0.85, taskAwareAcc: 0.9857, methodMemoryBytes: 500 * 3144, ...common },
    ]);
    assert.equal(
      table,
      [
        'strategy  ACC %  task-aware ACC %  forgetting %  BWT %  FWT %  wall s  peak RSS MiB  memory KiB',
        '--------  -----  ----------------  ------------  -----  -----  ------  ------------  ----------',
        'naive      19.7               n/a          10.0  -10.0    0.0     4.5         600.0           -',
        'er         85.0              98.6          10.0  -10.0    0.0     4.5         600.0        1535',
      ].join('\n'),
    );
  });
});
