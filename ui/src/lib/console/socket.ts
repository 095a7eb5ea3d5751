// A console's transport in the window: the WebSocket on 127.0.0.1 that the core opened for
// it (its URL carries the console's one-time ticket). Binary messages are the console's
// records; input goes back as JSON text, in order, on the same connection. Input given
// before the socket is open waits for it.
import type { ConsoleInput } from '../../bindings/ConsoleInput';
import { encodeRecords } from './wire';

export class ConsoleSocket {
  private ws: WebSocket;
  private waiting: string[] = [];
  private closing = false;

  constructor(url: string, onFrame: (buf: ArrayBuffer) => void) {
    this.ws = new WebSocket(url);
    this.ws.binaryType = 'arraybuffer';
    this.ws.onmessage = (e) => {
      if (e.data instanceof ArrayBuffer) onFrame(e.data);
    };
    this.ws.onopen = () => {
      for (const text of this.waiting.splice(0)) this.ws.send(text);
    };
    // Lost without being closed from here (the app's side went away): the view is told
    // the console is closed rather than left showing a frozen screen as connected.
    this.ws.onclose = () => {
      if (!this.closing) onFrame(encodeRecords([{ kind: 'state', state: 'closed', reason: '' }]));
    };
  }

  send(input: ConsoleInput) {
    const text = JSON.stringify(input);
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(text);
    else if (this.ws.readyState === WebSocket.CONNECTING) this.waiting.push(text);
    else throw new Error('the console is closed');
  }

  close() {
    this.closing = true;
    this.ws.close();
  }
}
