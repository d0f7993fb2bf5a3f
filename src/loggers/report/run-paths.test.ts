import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DataFormatError } from '../../core/errors.js';
import { expandGlob, resolveRunFolders } from './run-paths.js';

/**
 * runs/{a-ewc,b-ewc,c-naive} finished run folders, runs/d-ewc unfinished (no results.json),
 * runs/notes.txt, runs/.hidden-ewc, runs/empty.
 */
function tree(): string {
  const root = mkdtempSync(join(tmpdir(), 'unforget-paths-'));
  for (const name of ['a-ewc', 'b-ewc', 'c-naive', '.hidden-ewc', 'd-ewc']) {
    mkdirSync(join(root, 'runs', name), { recursive: true });
    writeFileSync(join(root, 'runs', name, 'config.json'), '{}');
    if (name !== 'd-ewc') writeFileSync(join(root, 'runs', name, 'results.json'), '{}');
  }
  mkdirSync(join(root, 'runs', 'empty'));
  writeFileSync(join(root, 'runs', 'notes.txt'), '');
  return root;
}

describe('run folder arguments', () => {
  it('expands *, ? and [..] per path segment, relative or absolute, skipping hidden entries', () => {
    const root = tree();
    assert.deepEqual(expandGlob('runs/*-ewc', root), [
      join('runs', 'a-ewc'),
      join('runs', 'b-ewc'),
      join('runs', 'd-ewc'),
    ]);
    assert.deepEqual(expandGlob('runs/[bc]-*', root), [join('runs', 'b-ewc'), join('runs', 'c-naive')]);
    assert.deepEqual(expandGlob('r?ns/c-naive', root), [join('runs', 'c-naive')]);
    assert.deepEqual(expandGlob(join(root, 'runs', '*.txt')), [join(root, 'runs', 'notes.txt')]);
    assert.deepEqual(expandGlob('runs/*-lwf', root), []);
  });

  it('resolves folders, globs and folders of runs to finished run folders, once each', () => {
    const root = tree();
    const runs = (...names: string[]) => names.map((n) => join(root, 'runs', n));
    assert.deepEqual(resolveRunFolders(['runs/*-ewc', 'runs/a-ewc'], root), {
      runs: runs('a-ewc', 'b-ewc'),
      unfinished: runs('d-ewc'),
    });
    assert.deepEqual(resolveRunFolders(['runs'], root).runs, runs('a-ewc', 'b-ewc', 'c-naive'));
    // A glob over a folder also matches notes.txt and the empty folder: those are skipped.
    assert.deepEqual(resolveRunFolders(['runs/*'], root).runs, runs('a-ewc', 'b-ewc', 'c-naive'));
    // Named on its own, an unfinished run is taken: reading it then says what is missing.
    assert.deepEqual(resolveRunFolders(['runs/d-ewc'], root), { runs: runs('d-ewc'), unfinished: [] });
  });

  it('names the argument that holds no run', () => {
    const root = tree();
    const refused = (args: string[], file: string, detail: RegExp) =>
      assert.throws(
        () => resolveRunFolders(args, root),
        (e: unknown) => e instanceof DataFormatError && e.file === file && detail.test(e.message),
      );
    refused(['runs/missing'], 'runs/missing', /no such folder/);
    refused(['runs/empty'], 'runs/empty', /not a run folder \(no config.json\) and holds no run folders/);
    refused(['runs/*-lwf'], 'runs/*-lwf', /matches no file or folder/);
    refused(['runs/*.txt'], 'runs/*.txt', /no run folders found/);
    refused(['runs/d-*'], 'runs/d-*', /no finished run folders \(unfinished: .*d-ewc\)/);
  });
});
