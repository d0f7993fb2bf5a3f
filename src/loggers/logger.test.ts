import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TrainingEvent } from '../core/events.js';
import { combineLoggers, type Logger } from './logger.js';
import { runEvents } from './testing/run-events.js';

describe('combineLoggers', () => {
  it('forwards every event to each logger in order, and closes them all even when one fails', async () => {
    const seen: string[] = [];
    const closed: string[] = [];
    const recorder = (name: string, failOnClose = false): Logger => ({
      onEvent: (event: TrainingEvent) => void seen.push(`${name}:${event.type}`),
      close: async () => {
        closed.push(name);
        if (failOnClose) throw new Error(`${name} failed`);
      },
    });
    const withoutClose: Logger = { onEvent: (event) => void seen.push(`c:${event.type}`) };
    const combined = combineLoggers([recorder('a', true), recorder('b'), withoutClose]);
    for (const event of runEvents().slice(0, 2)) combined.onEvent(event);
    assert.deepEqual(seen, [
      'a:run-start',
      'b:run-start',
      'c:run-start',
      'a:evaluation',
      'b:evaluation',
      'c:evaluation',
    ]);
    await assert.rejects(combined.close!(), /a failed/);
    assert.deepEqual(closed, ['a', 'b']);
  });
});
