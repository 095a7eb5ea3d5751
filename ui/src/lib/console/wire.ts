// Decodes the console's binary messages (layout: crates/vireo-core/src/console.rs, record
// kinds and state codes generated into bindings/console-wire.ts). Pixels stay in the
// buffer they came in: a Rect's `rgba` is a view, handed straight to ImageData.
import type { ConsoleState } from '../../bindings/ConsoleState';
import { CONSOLE_STATE_CODE, WIRE_KIND } from '../../bindings/console-wire';

export type ConsoleRecord =
  | { kind: 'rect'; x: number; y: number; w: number; h: number; rgba: Uint8ClampedArray<ArrayBuffer> }
  | { kind: 'resize'; w: number; h: number }
  | { kind: 'cursor'; hotX: number; hotY: number; w: number; h: number; rgba: Uint8ClampedArray<ArrayBuffer> }
  | { kind: 'bell' }
  | { kind: 'clipboard'; text: string }
  | { kind: 'state'; state: ConsoleState; reason: string };

const STATE_OF_CODE = new Map<number, ConsoleState>(
  Object.entries(CONSOLE_STATE_CODE).map(([state, code]) => [code, state as ConsoleState]),
);
const utf8 = new TextDecoder();

/** Every record of one message, in order; throws on a message that is cut or garbled. */
export function decodeRecords(buf: ArrayBuffer): ConsoleRecord[] {
  const view = new DataView(buf);
  const records: ConsoleRecord[] = [];
  let at = 0;
  while (at < buf.byteLength) {
    if (at + 5 > buf.byteLength) throw new Error(`console message cut in a record header at byte ${at}`);
    const len = view.getUint32(at, true);
    if (len < 1 || at + 4 + len > buf.byteLength) {
      throw new Error(`console record at byte ${at} says ${len} bytes; the message has ${buf.byteLength - at - 4}`);
    }
    const kind = view.getUint8(at + 4);
    const body = at + 5;
    const bodyLen = len - 1;
    records.push(decodeOne(buf, view, kind, body, bodyLen));
    at += 4 + len;
  }
  return records;
}

function decodeOne(buf: ArrayBuffer, view: DataView, kind: number, body: number, bodyLen: number): ConsoleRecord {
  const u16 = (i: number) => view.getUint16(body + 2 * i, true);
  const need = (n: number) => {
    if (bodyLen < n) throw new Error(`console record of kind ${kind} has ${bodyLen} bytes, needs ${n}`);
  };
  switch (kind) {
    case WIRE_KIND.Rect:
    case WIRE_KIND.Cursor: {
      need(8);
      const [a, b, w, h] = [u16(0), u16(1), u16(2), u16(3)];
      if (bodyLen !== 8 + w * h * 4) throw new Error(`console ${w}x${h} image with ${bodyLen - 8} bytes of pixels`);
      const rgba = new Uint8ClampedArray(buf, body + 8, w * h * 4);
      return kind === WIRE_KIND.Rect
        ? { kind: 'rect', x: a, y: b, w, h, rgba }
        : { kind: 'cursor', hotX: a, hotY: b, w, h, rgba };
    }
    case WIRE_KIND.Resize:
      need(4);
      return { kind: 'resize', w: u16(0), h: u16(1) };
    case WIRE_KIND.Bell:
      return { kind: 'bell' };
    case WIRE_KIND.Clipboard:
      return { kind: 'clipboard', text: utf8.decode(new Uint8Array(buf, body, bodyLen)) };
    case WIRE_KIND.State: {
      need(1);
      const state = STATE_OF_CODE.get(view.getUint8(body));
      if (state === undefined) throw new Error(`unknown console state code ${view.getUint8(body)}`);
      return { kind: 'state', state, reason: utf8.decode(new Uint8Array(buf, body + 1, bodyLen - 1)) };
    }
    default:
      throw new Error(`unknown console record kind ${kind}`);
  }
}

/** Builds one message from records (the fake backend and tests speak the same layout). */
export function encodeRecords(records: ConsoleRecord[]): ArrayBuffer {
  const parts: Uint8Array[] = [];
  const enc = new TextEncoder();
  const u16s = (...v: number[]) => new Uint8Array(new Uint16Array(v).buffer);
  for (const r of records) {
    let kind: number;
    let body: Uint8Array[];
    switch (r.kind) {
      case 'rect':
        [kind, body] = [WIRE_KIND.Rect, [u16s(r.x, r.y, r.w, r.h), new Uint8Array(r.rgba)]];
        break;
      case 'cursor':
        [kind, body] = [WIRE_KIND.Cursor, [u16s(r.hotX, r.hotY, r.w, r.h), new Uint8Array(r.rgba)]];
        break;
      case 'resize':
        [kind, body] = [WIRE_KIND.Resize, [u16s(r.w, r.h)]];
        break;
      case 'bell':
        [kind, body] = [WIRE_KIND.Bell, []];
        break;
      case 'clipboard':
        [kind, body] = [WIRE_KIND.Clipboard, [enc.encode(r.text)]];
        break;
      case 'state':
        [kind, body] = [WIRE_KIND.State, [new Uint8Array([CONSOLE_STATE_CODE[r.state]]), enc.encode(r.reason)]];
        break;
    }
    const len = 1 + body.reduce((n, p) => n + p.length, 0);
    const head = new Uint8Array(5);
    new DataView(head.buffer).setUint32(0, len, true);
    head[4] = kind;
    parts.push(head, ...body);
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out.buffer;
}
