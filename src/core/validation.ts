/**
 * Validation messages from zod schemas, in one voice for configs, CLI flags and option objects:
 * the field's path, what the field's schema expects in words, and what was given, e.g.
 * `training.lr: expected a positive number, got "abc"`; a misspelt key or name gets a
 * "did you mean" (`lamda` -> `lambda`, `learningRate` -> `lr`, `naiv` -> `naive`).
 */
import { z } from 'zod';

/** `a.b[1].c` from a path. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)),
    '',
  );
}

/** A value as a message shows it. */
export function describeValue(value: unknown): string {
  return value === undefined ? 'nothing' : JSON.stringify(value);
}

type JsonSchema = {
  type?: string;
  const?: unknown;
  enum?: readonly unknown[];
  anyOf?: readonly JsonSchema[];
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minItems?: number;
  minLength?: number;
};

/** What a value of this schema is, in words: `a positive integer`, `a number in [0, 1]`, `one of "sum", "mean"`. */
export function expectation(schema: z.ZodType): string {
  return words(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema);
}

function words(s: JsonSchema): string {
  if (s.anyOf) return s.anyOf.map(words).join(' or ');
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (s.enum) return `one of ${s.enum.map((v) => JSON.stringify(v)).join(', ')}`;
  switch (s.type) {
    case 'integer':
    case 'number':
      return numberWords(s);
    case 'boolean':
      return 'true or false';
    case 'string':
      return s.minLength ? 'a non-empty string' : 'a string';
    case 'array': {
      const each = s.items ? ` (each ${words(s.items)})` : '';
      return `${s.minItems ? 'a non-empty list' : 'a list'}${each}`;
    }
    case 'object':
      return s.properties ? `an object { ${Object.keys(s.properties).join(', ')} }` : 'an object';
    default:
      return 'a value';
  }
}

function numberWords(s: JsonSchema): string {
  const kind = s.type === 'integer' ? 'integer' : 'number';
  // zod writes the safe-integer bounds of every integer; they are no limit a user meets.
  const max =
    s.maximum !== undefined && Math.abs(s.maximum) < Number.MAX_SAFE_INTEGER ? s.maximum : undefined;
  const low = s.exclusiveMinimum ?? s.minimum;
  const high = s.exclusiveMaximum ?? max;
  if (low !== undefined && high !== undefined) {
    const open = s.exclusiveMinimum !== undefined ? '(' : '[';
    const close = s.exclusiveMaximum !== undefined ? ')' : ']';
    return `a${kind === 'integer' ? 'n' : ''} ${kind} in ${open}${low}, ${high}${close}`;
  }
  if (s.exclusiveMinimum === 0) return `a positive ${kind}`;
  const article = kind === 'integer' ? 'an' : 'a';
  if (low !== undefined) return `${article} ${kind} ${s.exclusiveMinimum !== undefined ? '>' : '>='} ${low}`;
  if (high !== undefined)
    return `${article} ${kind} ${s.exclusiveMaximum !== undefined ? '<' : '<='} ${high}`;
  return `${article} ${kind}`;
}

/** One option of an options schema, as `unforget list` and the docs show it. */
export interface OptionRow {
  readonly key: string;
  /** What it takes, in words: `a positive integer`. */
  readonly expects: string;
  /** Its default as JSON, when it has a fixed one. */
  readonly defaultValue?: string;
  readonly required: boolean;
  /** True for an option whose value is an object: it is set in a config file, not with a flag. */
  readonly configOnly: boolean;
  readonly description: string;
}

/** The options of an object schema, one row each, in the schema's order. */
export function optionRows(schema: z.ZodObject): OptionRow[] {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema & {
    required?: string[];
  };
  return Object.entries(json.properties ?? {}).map(([key, property]) => {
    const p = property as JsonSchema & { default?: unknown; description?: string };
    return {
      key,
      expects: words(p),
      ...(p.default !== undefined ? { defaultValue: JSON.stringify(p.default) } : {}),
      required: json.required?.includes(key) ?? false,
      configOnly: p.type === 'object',
      description: p.description ?? '',
    };
  });
}

/**
 * The part of `schema` at `path`, through objects, lists, optional and default wrappers; at a
 * union, the branch the key fits (a list for an index, an object for a name). Undefined where
 * the path leads nowhere.
 */
export function schemaAt(schema: z.ZodType, path: readonly PropertyKey[]): z.ZodType | undefined {
  let at: z.ZodType | undefined = schema;
  for (const key of path) {
    at = at && step(unwrap(at), key);
    if (!at) return undefined;
  }
  return at;
}

function unwrap(schema: z.ZodType): z.ZodType {
  let s = schema;
  while (
    s instanceof z.ZodOptional ||
    s instanceof z.ZodDefault ||
    s instanceof z.ZodPrefault ||
    s instanceof z.ZodNullable
  ) {
    s = s.unwrap() as z.ZodType;
  }
  return s;
}

function step(schema: z.ZodType, key: PropertyKey): z.ZodType | undefined {
  if (schema instanceof z.ZodObject) return (schema.shape as Record<string, z.ZodType>)[String(key)];
  if (schema instanceof z.ZodArray)
    return typeof key === 'number' ? (schema.element as z.ZodType) : undefined;
  if (schema instanceof z.ZodUnion) {
    for (const option of schema.options as readonly z.ZodType[]) {
      const inner = unwrap(option);
      if (typeof key === 'number' ? inner instanceof z.ZodArray : inner instanceof z.ZodObject) {
        return step(inner, key);
      }
    }
  }
  return undefined;
}

/** The keys an object schema (or the object at `path` in it) takes. */
export function keysAt(schema: z.ZodType, path: readonly PropertyKey[] = []): string[] {
  const at = schemaAt(schema, path);
  let object = at && unwrap(at);
  // A union's object branch (`false` or `{ detector, options }`) names the keys.
  if (object instanceof z.ZodUnion) {
    object = (object.options as readonly z.ZodType[]).map(unwrap).find((o) => o instanceof z.ZodObject);
  }
  return object instanceof z.ZodObject ? Object.keys(object.shape) : [];
}

/** A problem with one field: its path (as written) and what is wrong. */
export interface Problem {
  readonly path: string;
  readonly message: string;
}

/**
 * One problem per zod issue (unknown keys one by one, with a "did you mean"), worded from the
 * schema: `expected <the field's schema in words>, got <the value>`, or `required (<words>)`
 * for a missing field. `prefix` is the path the schema sits at (e.g. `strategies[1] (er)`).
 */
export function schemaProblems(schema: z.ZodType, error: z.ZodError, prefix = ''): Problem[] {
  const at = (path: readonly PropertyKey[]) => joinPath(prefix, formatPath(path));
  const problemsOf = (issue: z.core.$ZodIssue): Problem[] => {
    if (issue.code === 'invalid_union') {
      // A value that got into one branch (a list with a bad entry) is reported from inside it.
      const inner = issue.errors.map((branch) => branch[0]).find((i) => i !== undefined && i.path.length > 0);
      if (inner) return problemsOf({ ...inner, path: [...issue.path, ...inner.path] });
    }
    if (issue.code === 'unrecognized_keys') {
      const known = keysAt(schema, issue.path);
      return issue.keys.map((key) => ({
        path: at([...issue.path, key]),
        message: unknownMessage('key', key, known),
      }));
    }
    if (issue.code === 'custom') return [{ path: at(issue.path), message: issue.message }];
    if (issue.code === 'invalid_format' && issue.format === 'regex') {
      // A pattern's own message says what it expects, in words.
      const input = (issue as { input?: unknown }).input;
      return [{ path: at(issue.path), message: `${issue.message}, got ${describeValue(input)}` }];
    }
    const field = schemaAt(schema, issue.path);
    const input = (issue as { input?: unknown }).input;
    if (field === undefined) return [{ path: at(issue.path), message: issue.message }];
    const expected = expectation(field);
    if (input === undefined && issue.code === 'invalid_type') {
      return [{ path: at(issue.path), message: `required (${expected})` }];
    }
    return [{ path: at(issue.path), message: `expected ${expected}, got ${describeValue(input)}` }];
  };
  return error.issues.flatMap(problemsOf);
}

function joinPath(prefix: string, path: string): string {
  if (!prefix) return path;
  if (!path) return prefix;
  return path.startsWith('[') ? `${prefix}${path}` : `${prefix}.${path}`;
}

/** `unknown key; did you mean "lambda"?` (or the list of known ones, when none is close). */
export function unknownMessage(what: string, given: string, known: readonly string[]): string {
  const guess = didYouMean(given, known);
  if (guess) return `unknown ${what}; did you mean ${guess}?`;
  return known.length ? `unknown ${what} (known: ${known.join(', ')})` : `unknown ${what}`;
}

/**
 * Names a user coming from Mammoth, Avalanche or PyTorch may write for ours, by their folded form
 * (lower case, no `-`, `_` or spaces). Only suggested where the name they stand for is known.
 */
const SYNONYMS: Readonly<Record<string, string>> = {
  learningrate: 'lr',
  buffer: 'bufferSize',
  memsize: 'bufferSize',
  memorysize: 'bufferSize',
  minibatch: 'minibatchSize',
  trainmbsize: 'batchSize',
  mbsize: 'batchSize',
  batch: 'batchSize',
  trainepochs: 'epochs',
  nepochs: 'epochs',
  numepochs: 'epochs',
  elambda: 'lambda',
  ewclambda: 'lambda',
  silambda: 'c',
  temp: 'temperature',
};

const fold = (name: string) => name.toLowerCase().replace(/[-_\s]/g, '');
/** The folded form without a plural ending: `strategies` and `strategy` are one word. */
const stem = (name: string) => fold(name).replace(/ies$/, 'y').replace(/s$/, '');

/** The known name `given` most likely stands for, or undefined when none is close. */
export function didYouMean(given: string, known: readonly string[]): string | undefined {
  const folded = fold(given);
  const same = known.find((k) => fold(k) === folded) ?? known.find((k) => stem(k) === stem(given));
  if (same) return same;
  const synonym = SYNONYMS[folded];
  if (synonym && known.includes(synonym)) return synonym;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const d = editDistance(folded, fold(candidate));
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  const limit = Math.max(1, Math.floor(folded.length / 3));
  return bestDistance <= limit ? best : undefined;
}

/** Optimal-string-alignment distance: insertions, deletions, substitutions, adjacent swaps. */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.length][b.length];
}
