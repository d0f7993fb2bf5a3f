import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigError } from '../core/errors.js';
import { createLoggers, isLoggerName, loggerRegistry } from './registry.js';
import { runEvents } from './testing/run-events.js';

const dir = mkdtempSync(join(tmpdir(), 'unforget-registry-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('logger registry', () => {
  it('names console, jsonl, csv and tensorboard', () => {
    assert.deepEqual(Object.keys(loggerRegistry), ['console', 'jsonl', 'csv', 'tensorboard']);
    assert.equal(isLoggerName('jsonl'), true);
    assert.equal(isLoggerName('toString'), false);
  });

  it('builds the named loggers into one that writes every file of the run', async () => {
    const chunks: string[] = [];
    const stream = { isTTY: false, write: (s: string) => chunks.push(s) };
    const logger = createLoggers(['console', 'jsonl', 'csv'], { dir, epochs: 2, stream });
    const events = runEvents();
    for (const event of events) logger.onEvent(event);
    await logger.close!();
    assert.deepEqual(readdirSync(dir).sort(), ['events.jsonl', 'matrix.csv']);
    assert.equal(readFileSync(join(dir, 'events.jsonl'), 'utf8').trimEnd().split('\n').length, events.length);
    assert.match(readFileSync(join(dir, 'matrix.csv'), 'utf8'), /^after_experience,exp_0,exp_1,exp_2\n/);
    assert.match(chunks.join(''), /naive: ACC 46\.7%/);
  });

  it('refuses an unknown name, naming the field and the known names', () => {
    assert.throws(
      () => createLoggers(['jsonl', 'tensorbored'], { dir: join(dir, 'bad') }),
      (error: unknown) =>
        error instanceof ConfigError &&
        error.field === 'loggers[1]' &&
        /unknown logger 'tensorbored', expected one of console, jsonl, csv, tensorboard/.test(error.message),
    );
    assert.ok(!readdirSync(dir).includes('bad'), 'no logger was built before the bad name was found');
  });
});
