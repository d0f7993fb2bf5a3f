/**
 * The protobuf wire encoding, written by hand, of the part of TensorFlow's `Event` message that
 * scalar summaries need (tensorflow/core/util/event.proto, framework/summary.proto):
 *
 *   Event   { double wall_time = 1; int64 step = 2; string file_version = 3; Summary summary = 5; }
 *   Summary { repeated Value value = 1; }
 *   Value   { string tag = 1; float simple_value = 2; }
 *
 * Fewer than a hundred lines buy freedom from a protobuf runtime and generated code.
 */

/** The `file_version` of an event file's first event; TensorBoard reads a file by it. */
export const FILE_VERSION = 'brain.Event:2';

/** One scalar point: TensorBoard draws a chart per tag. */
export interface ScalarValue {
  readonly tag: string;
  /** Stored as a 32-bit float (`simple_value`), as TensorBoard's own writers do. */
  readonly value: number;
}

export interface EventMessage {
  /** Seconds since the Unix epoch, fractional. */
  readonly wallTime: number;
  /** An integer, the chart's x coordinate. */
  readonly step: number;
  readonly fileVersion?: string;
  readonly scalars?: readonly ScalarValue[];
}

// Wire types of the fields used here.
const VARINT = 0;
const FIXED64 = 1;
const LENGTH_DELIMITED = 2;
const FIXED32 = 5;

const utf8 = new TextEncoder();

/** Appends protobuf fields to a growing list of byte chunks. */
class FieldWriter {
  private readonly chunks: Uint8Array[] = [];

  private varint(value: bigint): void {
    const bytes: number[] = [];
    // int64 fields hold negatives as their 64-bit two's complement: always 10 bytes, as protobuf does.
    let rest = BigInt.asUintN(64, value);
    do {
      const low = Number(rest & 0x7fn);
      rest >>= 7n;
      bytes.push(rest > 0n ? low | 0x80 : low);
    } while (rest > 0n);
    this.chunks.push(Uint8Array.from(bytes));
  }

  private key(field: number, wireType: number): void {
    this.varint(BigInt((field << 3) | wireType));
  }

  int64(field: number, value: number): void {
    this.key(field, VARINT);
    this.varint(BigInt(value));
  }

  double(field: number, value: number): void {
    this.key(field, FIXED64);
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setFloat64(0, value, true);
    this.chunks.push(bytes);
  }

  float(field: number, value: number): void {
    this.key(field, FIXED32);
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setFloat32(0, value, true);
    this.chunks.push(bytes);
  }

  bytes(field: number, value: Uint8Array): void {
    this.key(field, LENGTH_DELIMITED);
    this.varint(BigInt(value.length));
    this.chunks.push(value);
  }

  string(field: number, value: string): void {
    this.bytes(field, utf8.encode(value));
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.chunks.reduce((n, chunk) => n + chunk.length, 0));
    let offset = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out;
  }
}

function encodeSummary(scalars: readonly ScalarValue[]): Uint8Array {
  const summary = new FieldWriter();
  for (const { tag, value } of scalars) {
    const entry = new FieldWriter();
    entry.string(1, tag);
    entry.float(2, value);
    summary.bytes(1, entry.finish());
  }
  return summary.finish();
}

/** The serialised `Event`: the payload of one TFRecord in an event file. */
export function encodeEvent(event: EventMessage): Uint8Array {
  if (!Number.isSafeInteger(event.step)) {
    throw new RangeError(`event step must be a safe integer, got ${event.step}`);
  }
  const writer = new FieldWriter();
  writer.double(1, event.wallTime);
  // proto3 leaves a zero scalar out of the wire; readers take an absent step as 0.
  if (event.step !== 0) writer.int64(2, event.step);
  if (event.fileVersion !== undefined) writer.string(3, event.fileVersion);
  if (event.scalars !== undefined && event.scalars.length > 0) {
    writer.bytes(5, encodeSummary(event.scalars));
  }
  return writer.finish();
}
