/**
 * Reads and validates a run configuration from YAML or JSON. Every problem is reported with
 * the field's path and what was expected, e.g. `strategies[1].lr: expected a positive
 * number, got "abc"`; nothing is written before the whole config is valid.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import { runConfigSchema, type RunConfig } from './config-schema.js';

/** `a.b[1].c` from a zod path. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)),
    '',
  );
}

function describe(value: unknown): string {
  return value === undefined ? 'nothing' : JSON.stringify(value);
}

/** What the field expected, in words, from one zod issue. */
function expected(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return issue.expected === 'number'
        ? 'a number'
        : issue.expected === 'string'
          ? 'a string'
          : issue.expected === 'array'
            ? 'a list'
            : `${issue.expected}`;
    case 'too_small':
      if (issue.origin === 'number') {
        if (issue.minimum === 0 && !issue.inclusive) return 'a positive number';
        return `a number ${issue.inclusive ? '>=' : '>'} ${issue.minimum}`;
      }
      return `at least ${issue.minimum} ${issue.origin === 'array' ? 'entries' : 'characters'}`;
    case 'too_big':
      return issue.origin === 'number'
        ? `a number ${issue.inclusive ? '<=' : '<'} ${issue.maximum}`
        : `at most ${issue.maximum}`;
    case 'invalid_value':
      return `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'not_multiple_of':
      return `a multiple of ${issue.divisor}`;
    default:
      return issue.message;
  }
}

/** One line per problem; unknown keys are named one by one. */
export function configProblems(error: z.ZodError): string[] {
  return error.issues.flatMap(problemLines);
}

function problemLines(issue: z.core.$ZodIssue): string[] {
  {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => `${formatPath([...issue.path, key])}: unknown key`);
    }
    if (issue.code === 'invalid_type' && issue.expected === 'int') {
      return [`${formatPath(issue.path)}: expected an integer, got ${describe(issue.input)}`];
    }
    if (issue.code === 'invalid_format' || issue.code === 'custom')
      return [`${formatPath(issue.path)}: ${issue.message}`];
    if (issue.code === 'invalid_union') {
      // A value that got into one branch (a list with a bad entry) is reported from inside it;
      // otherwise every branch's expectation is listed.
      const inner = issue.errors.map((branch) => branch[0]).filter((i) => i !== undefined);
      const deeper = inner.find((i) => i.path.length > 0);
      if (deeper) return problemLines({ ...deeper, path: [...issue.path, ...deeper.path] });
      const options = inner.map((i) => expected(i)).join(' or ');
      return [`${formatPath(issue.path)}: expected ${options}, got ${describe(issue.input)}`];
    }
    return [`${formatPath(issue.path)}: expected ${expected(issue)}, got ${describe(issue.input)}`];
  }
}

/** Validates plain data as a run config; throws a ConfigError listing every problem. */
export function parseRunConfig(data: unknown): RunConfig {
  const result = runConfigSchema.safeParse(data ?? {}, { reportInput: true });
  if (result.success) return result.data;
  const problems = configProblems(result.error);
  const first = problems[0] ?? 'config: invalid';
  const field = first.slice(0, first.indexOf(':'));
  throw new ConfigError(
    field || 'config',
    [first.slice(first.indexOf(':') + 2), ...problems.slice(1)].join('\n'),
  );
}

/** Reads a YAML or JSON config file (JSON is YAML) and validates it. */
export function loadRunConfig(path: string): RunConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new ConfigError('config', `cannot read ${path}`);
  }
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (e) {
    throw new ConfigError(
      'config',
      `${path} is not valid YAML or JSON: ${(e as Error).message.split('\n')[0]}`,
    );
  }
  return parseRunConfig(data);
}
