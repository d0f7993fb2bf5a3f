/** The JSON lines a worker (worker.ts) appends to its events file, read by run.ts. */

/** A failed expectation or error: jasmine's message, and the first lines of its stack. */
export interface Failure {
  message: string;
  stack: string;
}

export type WorkerEvent =
  /** After loading: how many specs each test file defined (0: its suites are browser-only). */
  | { kind: 'files'; specsPerFile: Record<string, number> }
  /** A test file that failed to import: none of its specs exist in this run. */
  | { kind: 'loadError'; file: string; message: string }
  /** Written before a spec runs; the last one without a `spec` line is the one that crashed. */
  | { kind: 'specStarted'; id: string; file: string; fullName: string }
  /** The first time the running spec enters this native kernel (native backend only). */
  | { kind: 'nativeKernel'; name: string }
  | {
      kind: 'spec';
      /** jasmine's spec id (`spec<N>`, in definition order). */
      id: string;
      /** The test file that defines it, relative to tfjs-core/dist. */
      file: string;
      fullName: string;
      /** jasmine: passed | failed | pending | excluded */
      status: string;
      failures: Failure[];
      durationMs: number;
      /** Native kernels that returned a result natively during the spec (native backend only). */
      nativeServed: string[];
      /** Native kernels entered during the spec, whatever they then did (native backend only). */
      nativeAttempted: string[];
    }
  /** A failure in a suite's beforeAll/afterAll. */
  | { kind: 'suiteError'; fullName: string; failures: Failure[] }
  | {
      kind: 'done';
      overallStatus: string;
      incompleteReason: string | null;
      globalFailures: Failure[];
      wallMs: number;
    }
  | { kind: 'fatal'; message: string }
  /** The native backend registered: its GEMM and the kernels it runs natively. */
  | { kind: 'native'; gemm: string; kernels: string[] };
