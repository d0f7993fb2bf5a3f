import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { encodeEvent, FILE_VERSION } from './event-proto.js';
import { decodeEvent } from './testing/event-file-reader.js';

describe('encodeEvent', () => {
  it('writes the file-version event TensorBoard expects first', () => {
    const decoded = decodeEvent(encodeEvent({ wallTime: 1700000000.25, step: 0, fileVersion: FILE_VERSION }));
    assert.deepEqual(decoded, { wallTime: 1700000000.25, step: 0, fileVersion: 'brain.Event:2' });
  });

  it('writes scalars with their tags, as 32-bit floats, in order', () => {
    const scalars = [
      { tag: 'train/loss', value: 0.1 },
      { tag: 'eval/accuracy/exp12', value: 1 },
      { tag: 'method/task-importance/importance/task0', value: -3.5e-8 },
      { tag: 'naïve/ünïcode', value: NaN },
    ];
    const decoded = decodeEvent(encodeEvent({ wallTime: 12.5, step: 7, scalars }));
    assert.equal(decoded.wallTime, 12.5);
    assert.equal(decoded.step, 7);
    assert.deepEqual(
      decoded.values,
      scalars.map(({ tag, value }) => ({ tag, simpleValue: Math.fround(value) })),
    );
  });

  it('gives the same bytes as the writer of @bufbuild/protobuf, field for field', () => {
    const scalars = [
      { tag: 'eval/ACC', value: 0.65 },
      { tag: 'eval/forgetting', value: 0.4 },
    ];
    const writer = new BinaryWriter();
    writer.tag(1, WireType.Bit64).double(1700000000.5);
    writer.tag(2, WireType.Varint).int64(300);
    writer.tag(3, WireType.LengthDelimited).string(FILE_VERSION);
    writer.tag(5, WireType.LengthDelimited).fork();
    for (const { tag, value } of scalars) {
      writer.tag(1, WireType.LengthDelimited).fork();
      writer.tag(1, WireType.LengthDelimited).string(tag);
      writer.tag(2, WireType.Bit32).float(value);
      writer.join();
    }
    writer.join();
    assert.deepEqual(
      encodeEvent({ wallTime: 1700000000.5, step: 300, fileVersion: FILE_VERSION, scalars }),
      writer.finish(),
    );
  });

  it("encodes steps of every varint length, negative ones as int64 two's complement", () => {
    for (const step of [1, 127, 128, 300, 2 ** 31, 2 ** 40 + 3, Number.MAX_SAFE_INTEGER, -1, -(2 ** 33)]) {
      assert.equal(decodeEvent(encodeEvent({ wallTime: 0, step })).step, step, `step ${step}`);
    }
    // -1 is ten varint bytes, as protobuf writes any negative int64: key, 9 x 0xff, 0x01.
    const bytes = encodeEvent({ wallTime: 0, step: -1 });
    assert.deepEqual([...bytes.subarray(9)], [0x10, ...Array<number>(9).fill(0xff), 0x01]);
    assert.throws(() => encodeEvent({ wallTime: 0, step: 1.5 }), /step must be a safe integer, got 1.5/);
  });
});
