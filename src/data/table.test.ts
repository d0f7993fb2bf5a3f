import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { delimiterOf, loadTable, parseDelimited, type TableOptions } from './table.js';
import { refusal } from './testing/files.js';

const dir = mkdtempSync(join(tmpdir(), 'unforget-table-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let count = 0;
function file(text: string, ext = '.csv'): string {
  const path = join(dir, `t${count++}${ext}`);
  writeFileSync(path, text);
  return path;
}

const noCache: TableOptions = { cache: false };

describe('parseDelimited', () => {
  it('reads RFC 4180 quoting: delimiters, doubled quotes and line ends inside quotes', () => {
    const records = parseDelimited('a,"b, c","say ""hi"""\r\n"two\nlines",x,\n', ',', 'f.csv');
    assert.deepEqual(
      records.map((r) => [r.cells, r.line]),
      [
        [['a', 'b, c', 'say "hi"'], 1],
        [['two\nlines', 'x', ''], 2],
      ],
    );
    // Spaces around a quoted cell are dropped; inside it they stay.
    assert.deepEqual(parseDelimited('1, " a" ,2\n', ',', 'f.csv')[0].cells, ['1', ' a', '2']);
    assert.deepEqual(parseDelimited('1\t "a"\t2\n', '\t', 'f.tsv')[0].cells, ['1', 'a', '2']);
  });

  it('refuses an unclosed quote, text after a closing quote and a quote in an unquoted cell', () => {
    assert.equal(
      refusal(() => parseDelimited('a,b\n1,"open\n2,3\n', ',', 'f.csv')),
      'f.csv: line 2: expected a closing quote for the field opened here, got the end of the file',
    );
    assert.equal(
      refusal(() => parseDelimited('a,b\n"1"x,2\n', ',', 'f.csv')),
      'f.csv: line 2, cell 1: expected the delimiter or the end of the line after a closing quote, got "x"',
    );
    assert.match(
      refusal(() => parseDelimited('a,b\n1,5"x\n', ',', 'f.csv')),
      /^f\.csv: line 2, cell 2: expected no quote inside an unquoted cell/,
    );
  });
});

describe('loadTable', () => {
  it('reads features, labels and groups by column name, with quoted cells and CRLF lines', () => {
    const path = file(
      'temp,"wind, speed",label,site\r\n1.5,2,cat,a\r\n-3,"4e1",dog,"north ""x"""\r\n .25 ,+7,cat,a\r\n\r\n\r\n',
    );
    const table = loadTable(path, { group: 'site', cache: false });
    assert.deepEqual(table.featureNames, ['temp', 'wind, speed']);
    assert.deepEqual(table.featureIndices, [0, 1]);
    assert.deepEqual(Array.from(table.x), [1.5, 2, -3, 40, 0.25, 7]);
    assert.deepEqual(table.labels, ['cat', 'dog', 'cat']);
    assert.deepEqual(table.groups, ['a', 'north "x"', 'a']);
  });

  it('picks features and the label by index or name, and reads files without a header row', () => {
    const path = file('a,b,c,label\n1,2,3,x\n4,5,6,y\n');
    const picked = loadTable(path, { features: ['c', 0], cache: false });
    assert.deepEqual(picked.featureNames, ['c', 'a']);
    assert.deepEqual(Array.from(picked.x), [3, 1, 6, 4]);
    assert.equal(picked.groups, undefined);

    const bare = file('1,2,7\n3,4,8\n');
    const table = loadTable(bare, { header: false, label: 2, cache: false });
    assert.deepEqual(table.featureNames, ['0', '1']);
    assert.deepEqual(Array.from(table.x), [1, 2, 3, 4]);
    assert.deepEqual(table.labels, ['7', '8']);
  });

  it('takes a tab as the delimiter of .tsv files', () => {
    assert.equal(delimiterOf('x/train.TSV'), '\t');
    assert.equal(delimiterOf('x/train.csv'), ',');
    const table = loadTable(file('name\tf\tlabel\na, b\t1.5\t0\n', '.tsv'), { group: 'name', cache: false });
    assert.deepEqual(table.groups, ['a, b']);
    assert.deepEqual(Array.from(table.x), [1.5]);
    assert.equal(table.labels[0], '0');
    const fromExtension = loadTable(file('f\tlabel\n2\t1\n', '.tsv'), noCache);
    assert.deepEqual(Array.from(fromExtension.x), [2]);
  });

  it('refuses bad cells naming the file, the line and the column', () => {
    const bad = file('temp,label\n1,a\n\n3,b\nabc,c\n');
    // A blank line between rows is a row of the wrong length.
    assert.equal(
      refusal(() => loadTable(bad, noCache)),
      `${bad}: line 3: expected 2 cells (as the header row has), got a blank line`,
    );
    const nan = file('temp,label\n1,a\n2,b\n3,c\n4,d\n5,e\n6,f\n7,g\n8,h\n9,i\n10,j\nabc,k\n');
    assert.equal(
      refusal(() => loadTable(nan, noCache)),
      `${nan}: line 12, column "temp": expected a number, got "abc"`,
    );
    const empty = file('temp,label\n1,a\n ,b\n');
    assert.equal(
      refusal(() => loadTable(empty, noCache)),
      `${empty}: line 3, column "temp": expected a number, got an empty cell`,
    );
    const short = file('temp,hum,label\n1,2,a\n3,b\n');
    assert.equal(
      refusal(() => loadTable(short, noCache)),
      `${short}: line 3: expected 3 cells (as the header row has), got 2`,
    );
    const long = file('1,2,a\n3,4,b,5\n');
    assert.equal(
      refusal(() => loadTable(long, { header: false, label: 2, cache: false })),
      `${long}: line 2: expected 3 cells (as line 1 has), got 4`,
    );
    const noLabel = file('temp,label\n1,\n');
    assert.equal(
      refusal(() => loadTable(noLabel, noCache)),
      `${noLabel}: line 2, column "label": expected a label, got an empty cell`,
    );
    const bareIndex = file('1,x\nfoo,y\n');
    assert.equal(
      refusal(() => loadTable(bareIndex, { header: false, label: 1, cache: false })),
      `${bareIndex}: line 2, column 0: expected a number, got "foo"`,
    );
    // A quoted cell over two lines: the next row is line 5.
    const quotedLines = file('a,label\n"1",x\n"2\n",y\nq,z\n');
    assert.equal(
      refusal(() => loadTable(quotedLines, noCache)),
      `${quotedLines}: line 5, column "a": expected a number, got "q"`,
    );
  });

  it('refuses columns that are not there, with a "did you mean"', () => {
    const path = file('temp,label\n1,a\n');
    assert.equal(
      refusal(() => loadTable(path, { label: 'lable', cache: false })),
      `${path}: label: expected a column of the header row, got "lable"; did you mean "label"?`,
    );
    assert.equal(
      refusal(() => loadTable(path, { features: ['wind'], cache: false })),
      `${path}: features[0]: expected a column of the header row, got "wind" (columns: "temp", "label")`,
    );
    assert.equal(
      refusal(() => loadTable(path, { group: 5, cache: false })),
      `${path}: group: expected a column index in [0, 1], got 5`,
    );
    assert.match(
      refusal(() => loadTable(path, { header: false, cache: false })),
      /label: expected the label column as a 0-based index/,
    );
    const dup = file('a,a,label\n1,2,x\n');
    assert.match(
      refusal(() => loadTable(dup, noCache)),
      /line 1: expected distinct column names, got "a" as columns 0 and 1/,
    );
    assert.equal(
      refusal(() => loadTable(join(dir, 'missing.csv'), noCache)),
      `${join(dir, 'missing.csv')}: expected a readable file, got ENOENT`,
    );
  });

  it('caches the decoded table, keyed by the file size and modification time', () => {
    const cache = join(dir, 'cache');
    const path = file('temp,label\n1,a\n2,b\n');
    const touch = (seconds: number) => utimesSync(path, seconds, seconds);
    touch(1_700_000_000);
    const first = loadTable(path, { cache });
    assert.deepEqual(Array.from(first.x), [1, 2]);
    assert.equal(readdirSync(join(cache, 'files')).filter((f) => f.startsWith('table-')).length, 1);
    // Same size and modification time, other content: the cache answers, so the values are the old ones.
    writeFileSync(path, 'temp,label\n7,a\n8,b\n');
    touch(1_700_000_000);
    const second = loadTable(path, { cache });
    assert.deepEqual(Array.from(second.x), [1, 2]);
    assert.deepEqual(second.labels, ['a', 'b']);
    assert.deepEqual(Array.from(loadTable(path, noCache).x), [7, 8]);
    // Other decoding options are another entry.
    assert.deepEqual(Array.from(loadTable(path, { cache, features: ['temp'] }).x), [7, 8]);
    assert.equal(readdirSync(join(cache, 'files')).length, 2);
    // A newer modification time decodes again.
    touch(1_700_000_005);
    assert.deepEqual(Array.from(loadTable(path, { cache }).x), [7, 8]);
    assert.ok(existsSync(join(cache, 'files')));
  });
});
