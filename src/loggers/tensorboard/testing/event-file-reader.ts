/**
 * An event-file reader for tests, independent of the writer: TFRecord framing checked with
 * `@node-rs/crc32`'s CRC-32C, and each `Event` decoded field by field with `@bufbuild/protobuf`'s
 * wire reader. It shares no code with src/loggers/tensorboard, so a bug there cannot hide itself.
 */
import { crc32c } from '@node-rs/crc32';
import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';
import { readFileSync } from 'node:fs';

export interface DecodedValue {
  readonly tag: string;
  readonly simpleValue: number;
}

export interface DecodedEvent {
  readonly wallTime: number;
  readonly step: number;
  readonly fileVersion?: string;
  readonly values?: readonly DecodedValue[];
}

// TensorFlow's crc32c::Mask, written out from its definition (rotate right 15, add a constant).
const mask = (crc: number): number => ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) % 2 ** 32;

function expectWire(field: string, got: WireType, expected: WireType): void {
  if (got !== expected) throw new Error(`${field}: wire type ${got}, expected ${expected}`);
}

function decodeValue(bytes: Uint8Array): DecodedValue {
  const reader = new BinaryReader(bytes);
  let tag: string | undefined;
  let simpleValue: number | undefined;
  while (reader.pos < reader.len) {
    const [field, wire] = reader.tag();
    if (field === 1) {
      expectWire('Value.tag', wire, WireType.LengthDelimited);
      tag = reader.string();
    } else if (field === 2) {
      expectWire('Value.simple_value', wire, WireType.Bit32);
      simpleValue = reader.float();
    } else {
      throw new Error(`Value: unexpected field ${field}`);
    }
  }
  if (tag === undefined || simpleValue === undefined) throw new Error('Value: tag or simple_value missing');
  return { tag, simpleValue };
}

function decodeSummary(bytes: Uint8Array): DecodedValue[] {
  const reader = new BinaryReader(bytes);
  const values: DecodedValue[] = [];
  while (reader.pos < reader.len) {
    const [field, wire] = reader.tag();
    if (field !== 1) throw new Error(`Summary: unexpected field ${field}`);
    expectWire('Summary.value', wire, WireType.LengthDelimited);
    values.push(decodeValue(reader.bytes()));
  }
  return values;
}

/** One serialised `Event`; throws on a field or wire type that the writer has no business writing. */
export function decodeEvent(bytes: Uint8Array): DecodedEvent {
  const reader = new BinaryReader(bytes);
  let wallTime: number | undefined;
  let step = 0;
  let fileVersion: string | undefined;
  let values: DecodedValue[] | undefined;
  while (reader.pos < reader.len) {
    const [field, wire] = reader.tag();
    switch (field) {
      case 1:
        expectWire('Event.wall_time', wire, WireType.Bit64);
        wallTime = reader.double();
        break;
      case 2:
        expectWire('Event.step', wire, WireType.Varint);
        step = Number(reader.int64());
        break;
      case 3:
        expectWire('Event.file_version', wire, WireType.LengthDelimited);
        fileVersion = reader.string();
        break;
      case 5:
        expectWire('Event.summary', wire, WireType.LengthDelimited);
        values = decodeSummary(reader.bytes());
        break;
      default:
        throw new Error(`Event: unexpected field ${field}`);
    }
  }
  if (wallTime === undefined) throw new Error('Event: wall_time missing');
  return {
    wallTime,
    step,
    ...(fileVersion !== undefined ? { fileVersion } : {}),
    ...(values !== undefined ? { values } : {}),
  };
}

/** The records' payloads; throws naming the record on a torn length, torn data or CRC mismatch. */
export function readRecords(file: Uint8Array): Uint8Array[] {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const records: Uint8Array[] = [];
  let offset = 0;
  while (offset < file.length) {
    const where = `record ${records.length} at byte ${offset}`;
    if (offset + 12 > file.length) throw new Error(`${where}: truncated length header`);
    const lengthBytes = file.subarray(offset, offset + 8);
    if (mask(crc32c(lengthBytes)) !== view.getUint32(offset + 8, true)) {
      throw new Error(`${where}: length CRC mismatch`);
    }
    const length = Number(view.getBigUint64(offset, true));
    const end = offset + 12 + length + 4;
    if (end > file.length) throw new Error(`${where}: truncated data (${length} bytes announced)`);
    const data = file.subarray(offset + 12, offset + 12 + length);
    if (mask(crc32c(data)) !== view.getUint32(offset + 12 + length, true)) {
      throw new Error(`${where}: data CRC mismatch`);
    }
    records.push(data);
    offset = end;
  }
  return records;
}

/** Every event of an event file, in order. */
export function readEventFile(path: string): DecodedEvent[] {
  return readRecords(readFileSync(path)).map(decodeEvent);
}

/** `[step, value]` points per tag, in file order: what TensorBoard would draw. */
export function scalarsByTag(events: readonly DecodedEvent[]): Map<string, [number, number][]> {
  const byTag = new Map<string, [number, number][]>();
  for (const event of events) {
    for (const { tag, simpleValue } of event.values ?? []) {
      const points = byTag.get(tag) ?? [];
      points.push([event.step, simpleValue]);
      byTag.set(tag, points);
    }
  }
  return byTag;
}
