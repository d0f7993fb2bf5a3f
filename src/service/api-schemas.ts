/**
 * The HTTP API's request bodies, as zod schemas (the one source of their types and of the 400s
 * that name the bad field), and the error every route answers with: `{ error: { field, message } }`.
 */
import { z } from 'zod';
import { schemaProblems } from '../core/validation.js';

/** An error a route answers with: its status, the field at fault (or what was wrong), the message. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly field: string,
    message: string,
    /** Headers the answer carries (Retry-After for a 429). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const userId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$/, 'expected 1-128 letters, digits, ".", "_", "@" or "-"');

const label = z.union([z.number().int().min(0), z.string().min(1)]);

/**
 * An input: a list of numbers, or the same values as float32 (little-endian) in base64, a
 * quarter of the JSON's size and decoded natively. The route checks and copies its values in one
 * pass (inputOf in server.ts): checking each number through the schema as well costs more than
 * parsing the JSON it came in.
 */
const input = z.custom<unknown[] | string>((v) => Array.isArray(v) || typeof v === 'string', {
  error: 'expected a list of numbers, or float32 values in base64',
});

export const learnBody = z.union([
  z.strictObject({
    user: userId.optional(),
    examples: z.array(z.strictObject({ x: input, y: label })).min(1),
  }),
  z.strictObject({
    user: userId.optional(),
    feedback: z.array(z.strictObject({ predictionId: z.string().min(1), label })).min(1),
  }),
]);

export const predictBody = z.strictObject({
  user: userId.optional(),
  inputs: z.array(input).min(1),
});

export const userSettingsBody = z.strictObject({
  personal: z
    .enum(['shared', 'private'])
    .describe("private: the user's examples train only their own head, never the shared model"),
});

export const rollbackBody = z.strictObject({
  version: z.number().int().positive().describe('the snapshot to go back to'),
});

/** `body` parsed by `schema`, or a 400 naming the first bad field. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  if (body === undefined || body === null || typeof body !== 'object') {
    throw new HttpError(400, 'body', 'expected a JSON object');
  }
  const result = schema.safeParse(body, { reportInput: true });
  if (result.success) return result.data;
  const [first] = schemaProblems(schema, result.error, '');
  throw new HttpError(400, first.path || 'body', first.message);
}

export const deleteUserQuery = z.strictObject({
  retrain: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true')
    .describe('train the shared model again from the log without the user'),
});

/** A URL's query parsed by `schema`, or a 400 naming the first bad parameter. */
export function parseQuery<S extends z.ZodType>(schema: S, query: unknown): z.output<S> {
  const result = schema.safeParse(query ?? {}, { reportInput: true });
  if (result.success) return result.data;
  const [first] = schemaProblems(schema, result.error, '');
  throw new HttpError(400, first.path || 'query', first.message);
}

export const eventsQuery = z.strictObject({
  after: z
    .string()
    .regex(/^\d+$/, 'expected an event id (a whole number)')
    .default('0')
    .transform(Number)
    .describe('only events after this id: the last one seen, to page'),
  user: userId.optional().describe("only this user's events (a user's token sees only their own)"),
  scope: z
    .enum(['all', 'shared', 'users'])
    .default('all')
    .describe("the shared model's drifts, the users', or both"),
  limit: z
    .string()
    .regex(/^\d+$/, 'expected a whole number')
    .default('100')
    .transform(Number)
    .refine((n) => n >= 1 && n <= 1000, 'expected 1 to 1000')
    .describe('events at most'),
});
