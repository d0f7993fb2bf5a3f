/**
 * `unforget list [benchmarks|models|strategies]`: what a config or a flag can name, read from the
 * registries, with each option's type, default and description from the schema beside its code.
 */
import type { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import { optionRows } from '../core/validation.js';
import { benchmarks } from '../benchmarks/benchmarks.js';
import { models } from '../models/registry.js';
import { strategies } from '../strategies/registry.js';

export const LIST_TOPICS = ['benchmarks', 'models', 'strategies'] as const;

/** The listing of `topic` (all three, briefly, without one). */
export function listing(topic?: string): string {
  if (topic === undefined) {
    return [
      section('benchmarks', benchmarkLines(false)),
      section('models', modelLines(false)),
      section('strategies', strategyLines(false)),
      "unforget list <benchmarks|models|strategies> shows each one's options.",
    ].join('\n\n');
  }
  switch (topic) {
    case 'benchmarks':
      return section('benchmarks', benchmarkLines(true));
    case 'models':
      return section('models', modelLines(true));
    case 'strategies':
      return [
        section('strategies', strategyLines(true)),
        'A flag sets options as --strategies er:bufferSize=500,derpp:bufferSize=500:alpha=0.1;',
        'options marked "config file" are objects and are set in a config file. + combines methods (ewc+lwf).',
      ].join('\n');
    default:
      throw new ConfigError(
        'list',
        `expected one of ${LIST_TOPICS.join(', ')}, got ${JSON.stringify(topic)}`,
      );
  }
}

function section(title: string, lines: string[]): string {
  return [`${title}:`, ...lines].join('\n');
}

function benchmarkLines(withOptions: boolean): string[] {
  return benchmarks.names().flatMap((name) => {
    const entry = benchmarks.get(name);
    const head = `  ${name.padEnd(22)}${entry.description}; ${entry.scenarios.join(', ')}`;
    return withOptions ? [head, ...optionLines(entry.options)] : [head];
  });
}

function modelLines(withOptions: boolean): string[] {
  return models.entries().flatMap((d) => {
    const head = `  ${d.name.padEnd(22)}${d.description}`;
    return withOptions ? [head, ...optionLines(d.options)] : [head];
  });
}

function strategyLines(withOptions: boolean): string[] {
  return strategies.entries().flatMap((d) => {
    const head = `  ${d.name.padEnd(22)}${d.description}${d.taskFree ? ' [online too]' : ''}`;
    return withOptions ? [head, ...optionLines(d.options)] : [head];
  });
}

/** One line per option: name, what it takes, its default or "required", what it does. */
function optionLines(schema: z.ZodObject): string[] {
  return optionRows(schema).map((row) => {
    const setting = row.required
      ? 'required'
      : row.defaultValue !== undefined
        ? `default ${row.defaultValue}`
        : 'optional';
    const where = row.configOnly ? ', config file' : '';
    return `      ${row.key.padEnd(20)}${row.expects} (${setting}${where}): ${row.description}`;
  });
}
