// The console's WebSocket transport against a stand-in WebSocket: records are handed on,
// input waits for the socket to open and keeps its order, and a socket lost without being
// closed from here tells the view the console closed.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConsoleSocket } from './socket';
import { decodeRecords, encodeRecords } from './wire';

class StandIn {
  static CONNECTING = 0;
  static OPEN = 1;
  static CLOSED = 3;
  static last: StandIn;
  readyState = StandIn.CONNECTING;
  binaryType = 'blob';
  sent: string[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((e: { data: unknown }) => void) | null = null;
  onclose: (() => void) | null = null;
  constructor(readonly url: string) {
    StandIn.last = this;
  }
  send(text: string) {
    this.sent.push(text);
  }
  close() {
    this.readyState = StandIn.CLOSED;
    this.onclose?.();
  }
  open() {
    this.readyState = StandIn.OPEN;
    this.onopen?.();
  }
}

beforeEach(() => vi.stubGlobal('WebSocket', StandIn));
afterEach(() => vi.unstubAllGlobals());

const key = (key: string, down: boolean) => ({ type: 'key' as const, key, code: `Key${key.toUpperCase()}`, down });

describe('a console socket', () => {
  it('hands binary records on and sends input as JSON, in order, once open', () => {
    const frames: ArrayBuffer[] = [];
    const socket = new ConsoleSocket('ws://127.0.0.1:1/console/t', (b) => frames.push(b));
    const ws = StandIn.last;
    expect(ws.url).toBe('ws://127.0.0.1:1/console/t');
    expect(ws.binaryType).toBe('arraybuffer');
    socket.send(key('a', true));
    socket.send(key('a', false));
    expect(ws.sent).toEqual([]);
    ws.open();
    socket.send(key('b', true));
    expect(ws.sent.map((t) => JSON.parse(t))).toEqual([key('a', true), key('a', false), key('b', true)]);
    const buf = encodeRecords([{ kind: 'resize', w: 720, h: 400 }]);
    ws.onmessage?.({ data: buf });
    ws.onmessage?.({ data: 'not binary' });
    expect(frames).toEqual([buf]);
  });

  it('says the console closed when the socket is lost, and nothing when closed from here', () => {
    const frames: ArrayBuffer[] = [];
    new ConsoleSocket('ws://127.0.0.1:1/console/t', (b) => frames.push(b));
    StandIn.last.open();
    StandIn.last.onclose?.();
    expect(frames.flatMap((f) => decodeRecords(f))).toEqual([{ kind: 'state', state: 'closed', reason: '' }]);

    const quiet: ArrayBuffer[] = [];
    const socket = new ConsoleSocket('ws://127.0.0.1:1/console/u', (b) => quiet.push(b));
    socket.close();
    expect(quiet).toEqual([]);
    expect(() => socket.send(key('a', true))).toThrow();
  });
});
