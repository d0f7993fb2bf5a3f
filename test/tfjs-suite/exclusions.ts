/**
 * What the tfjs suite runner leaves out, identically for every backend, and why.
 *
 * Both lists are empty: every test file that tfjs-core ships loads and passes on `cpu` under
 * Node. The suites that need a browser, a DOM, IndexedDB, localStorage or a web worker are
 * gated by tfjs itself (BROWSER_ENVS, HAS_WORKER and similar constraints of `describeWithFlags`)
 * and are never defined under Node; run.ts lists the test files that define no spec. The io
 * suites that do run under Node replace fetch with spies: nothing goes to the network.
 *
 * Add an entry only for a test that cannot run in Node at all, never to hide a native failure.
 * A spec left out here is reported as "excluded", not as passed.
 */

/** Test files (relative to tfjs-core/dist) that are not loaded at all. */
export const EXCLUDED_FILES: ReadonlyArray<{ file: string; why: string }> = [];

/** Specs whose full name contains one of these strings are filtered out (jasmine "excluded"). */
export const EXCLUDED_SPECS: ReadonlyArray<{ contains: string; why: string }> = [];
