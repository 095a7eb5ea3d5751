// Canvas probe: measures a VNC viewer's canvas from inside the page, the same way for
// any viewer (Vireo's console, noVNC). Installed with `execute(script, [selector, rows])`;
// safe to run again (it then only retargets the canvas and resets the counters).
//   - frames: animation frames in which something was drawn on the canvas (putImageData
//     or drawImage on its 2D context), i.e. frames delivered to the canvas;
//   - key -> pixel: from a keydown reaching the page (capture phase, before the viewer's
//     own handler) until a draw call leaves the canvas's top `rows` pixel rows different
//     from what they were at the keydown; and from the keydown until the viewer first
//     sends on a WebSocket (the page's own part of the way in).
const [selector, rows] = arguments;
const canvas = document.querySelector(selector);
if (!canvas) return false;
let p = window.__vireoProbe;
if (!p) {
  p = window.__vireoProbe = { canvas: null, rows: 0, frames: 0, drawn: false, since: 0, keyAt: null, before: null, lat: [], sent: [], sentFor: null };
  const area = () => p.canvas.getContext('2d').getImageData(0, 0, p.canvas.width, Math.min(p.rows, p.canvas.height)).data;
  const changed = (a, b) => {
    if (a.length !== b.length) return true;
    for (let i = 0; i < a.length; i += 4) if (a[i] !== b[i] || a[i + 1] !== b[i + 1] || a[i + 2] !== b[i + 2]) return true;
    return false;
  };
  for (const name of ['putImageData', 'drawImage']) {
    const orig = CanvasRenderingContext2D.prototype[name];
    CanvasRenderingContext2D.prototype[name] = function (...args) {
      const out = orig.apply(this, args);
      if (this.canvas === p.canvas) {
        p.drawn = true;
        if (p.keyAt !== null && changed(area(), p.before)) {
          p.lat.push(performance.now() - p.keyAt);
          p.keyAt = null;
        }
      }
      return out;
    };
  }
  // When the viewer puts the key on its WebSocket (both viewers speak through one).
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (...args) {
    if (p.keyAt !== null && p.sentFor !== p.keyAt) {
      p.sentFor = p.keyAt;
      p.sent.push(performance.now() - p.keyAt);
    }
    return send.apply(this, args);
  };
  window.addEventListener('keydown', () => {
    if (p.keyAt === null && p.canvas && p.canvas.width) {
      p.before = area();
      p.keyAt = performance.now();
    }
  }, true);
  const tick = () => {
    if (p.drawn) p.frames++;
    p.drawn = false;
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}
p.canvas = canvas;
p.rows = rows;
p.frames = 0;
p.since = performance.now();
p.keyAt = null;
p.lat = [];
p.sent = [];
return true;
