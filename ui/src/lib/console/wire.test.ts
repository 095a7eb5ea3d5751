import { describe, expect, it } from 'vitest';
import { decodeRecords, encodeRecords } from './wire';

describe('console wire records', () => {
  it('decodes what the Rust side writes, byte for byte', () => {
    // As crates/vireo-console/src/wire.rs writes a 1x1 rect at (1,2) and a resize.
    const bytes = new Uint8Array([13, 0, 0, 0, 1, 1, 0, 2, 0, 1, 0, 1, 0, 9, 8, 7, 255, 5, 0, 0, 0, 2, 3, 0, 4, 1]);
    const records = decodeRecords(bytes.buffer);
    expect(records).toHaveLength(2);
    expect(records[0]).toMatchObject({ kind: 'rect', x: 1, y: 2, w: 1, h: 1 });
    expect([...(records[0] as { rgba: Uint8ClampedArray }).rgba]).toEqual([9, 8, 7, 255]);
    expect(records[1]).toEqual({ kind: 'resize', w: 3, h: 260 });
  });

  it('round-trips every kind', () => {
    const rgba = new Uint8ClampedArray([1, 2, 3, 255, 4, 5, 6, 255]);
    const all = [
      { kind: 'resize', w: 720, h: 400 },
      { kind: 'rect', x: 3, y: 4, w: 2, h: 1, rgba },
      { kind: 'cursor', hotX: 1, hotY: 0, w: 1, h: 2, rgba },
      { kind: 'bell' },
      { kind: 'clipboard', text: 'héllo 你好' },
      { kind: 'state', state: 'reconnecting', reason: 'the VM rebooted' },
    ] as const;
    const back = decodeRecords(encodeRecords([...all]));
    expect(back.map((r) => r.kind)).toEqual(all.map((r) => r.kind));
    expect(back[4]).toEqual({ kind: 'clipboard', text: 'héllo 你好' });
    expect(back[5]).toEqual({ kind: 'state', state: 'reconnecting', reason: 'the VM rebooted' });
  });

  it('refuses cut and garbled messages with what is wrong', () => {
    const good = new Uint8Array(encodeRecords([{ kind: 'resize', w: 1, h: 1 }]));
    expect(() => decodeRecords(good.slice(0, 7).buffer)).toThrow(/says 5 bytes/);
    expect(() => decodeRecords(good.slice(0, 3).buffer)).toThrow(/cut in a record header/);
    expect(() => decodeRecords(new Uint8Array([1, 0, 0, 0, 99]).buffer)).toThrow(/unknown console record kind 99/);
    expect(() => decodeRecords(new Uint8Array([2, 0, 0, 0, 6, 9]).buffer)).toThrow(/unknown console state code 9/);
    // A 2x2 rect with one pixel's bytes.
    expect(() => decodeRecords(new Uint8Array([13, 0, 0, 0, 1, 0, 0, 0, 0, 2, 0, 2, 0, 1, 2, 3, 4]).buffer)).toThrow(/2x2 image/);
  });
});
