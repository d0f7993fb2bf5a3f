import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { driftSummary, summarize } from '../metrics/index.js';
import { jsonlLogger } from './jsonl.js';
import { onlineRunEvents, runEvents } from './testing/run-events.js';

const dir = mkdtempSync(join(tmpdir(), 'unforget-jsonl-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('jsonlLogger', () => {
  it('leaves out the transient progress events', async () => {
    const path = join(dir, 'progress.jsonl');
    const logger = jsonlLogger(path);
    logger.onEvent({
      type: 'progress',
      experience: 0,
      epoch: 0,
      samples: 10,
      epochSamples: 20,
      loss: 1,
      seconds: 0.3,
    });
    logger.onEvent({ type: 'run-end', seconds: 1 });
    await logger.close!();
    assert.deepEqual(readFileSync(path, 'utf8'), '{"type":"run-end","seconds":1}\n');
  });

  it('has each event on disk as soon as it is emitted, before the logger closes', async () => {
    const path = join(dir, 'live.jsonl');
    const logger = jsonlLogger(path);
    logger.onEvent({ type: 'experience-start', experience: 0, classes: [0, 1] });
    assert.equal(readFileSync(path, 'utf8'), '{"type":"experience-start","experience":0,"classes":[0,1]}\n');
    logger.onEvent({ type: 'experience-end', experience: 0, seconds: 1, samples: 4 });
    assert.equal(readFileSync(path, 'utf8').split('\n').length, 3);
    await logger.close!();
  });

  it('writes one event per line that parses back to the same events, and appends', async () => {
    const path = join(dir, 'nested', 'events.jsonl');
    const events = runEvents();
    const logger = jsonlLogger(path);
    for (const event of events) logger.onEvent(event);
    await logger.close!();
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
    assert.equal(lines.length, events.length);
    const replayed = lines.map((line) => JSON.parse(line));
    assert.deepEqual(replayed, events);
    assert.equal(summarize(replayed).acc, summarize(events).acc);

    const second = jsonlLogger(path);
    second.onEvent({ type: 'run-end', seconds: 1 });
    await second.close!();
    const all = readFileSync(path, 'utf8').trimEnd().split('\n');
    assert.equal(all.length, events.length + 1);
    assert.deepEqual(JSON.parse(all[all.length - 1]), { type: 'run-end', seconds: 1 });
  });

  it("writes an online run's drift events, which replay into the same drift summary", async () => {
    const path = join(dir, 'drift.jsonl');
    const events = onlineRunEvents();
    const logger = jsonlLogger(path);
    for (const event of events) logger.onEvent(event);
    await logger.close!();
    const replayed = readFileSync(path, 'utf8')
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    assert.deepEqual(
      replayed.filter((e) => e.type === 'drift').map((e) => e.sample),
      [57, 223, 251, 415],
    );
    assert.deepEqual(driftSummary(replayed), driftSummary(events));
    assert.equal(driftSummary(replayed)?.detected, 2);
  });

  it('reports a file that cannot be opened at close()', async () => {
    const logger = jsonlLogger(dir); // a folder, not a file
    logger.onEvent({ type: 'run-end', seconds: 1 });
    await assert.rejects(logger.close!(), /EISDIR/);
  });
});
