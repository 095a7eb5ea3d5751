// The console view against the fake backend: it opens, draws what arrives, sends keys
// and key combinations, shows its state and the backend's refusals, and closes.
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { encodeRecords } from '../lib/console/wire';
import { FAKE_SCREEN, FakeApi } from '../lib/fake-api';
import { setLocale } from '../lib/i18n';
import { vm } from '../lib/testing';
import ConsoleView from './ConsoleView.svelte';

let api: FakeApi;
const tab = (uuid: string, viewOnly = false) => ({ key: 'tab-1', hostId: 'h1', hostName: 'lab', uuid, vmName: 'web', viewOnly });

beforeEach(() => {
  // jsdom has no 2D context (and says so on every call); the view draws nothing without one.
  vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockReturnValue(null);
  setLocale('en');
  api = new FakeApi();
  api.vms.h1 = [vm({ uuid: 'u-run', name: 'web', state: 'running' }), vm({ uuid: 'u-off', name: 'db', state: 'shut_off' })];
});

afterEach(() => vi.restoreAllMocks());

function show(uuid: string, viewOnly = false) {
  const onclose = vi.fn();
  const r = render(ConsoleView, { props: { api, tab: tab(uuid, viewOnly), visible: true, onclose, onviewonly: vi.fn() } });
  return { ...r, onclose };
}

const canvas = () => screen.getByTestId('console-canvas');
const stateEl = () => screen.getByTestId('console-state');

describe('a console', () => {
  it('opens, draws the screen and says it is connected', async () => {
    show('u-run');
    await waitFor(() => expect(stateEl().dataset.state).toBe('connected'));
    expect(canvas().dataset.width).toBe(String(FAKE_SCREEN.w));
    expect(canvas().dataset.height).toBe(String(FAKE_SCREEN.h));
    expect(Number(canvas().dataset.rects)).toBeGreaterThan(0);
    expect(stateEl().textContent).toContain('Connected');
  });

  it('sends keys from the canvas and releases held ones on blur', async () => {
    show('u-run');
    await waitFor(() => expect(api.consoles.size).toBe(1));
    const [[, c]] = [...api.consoles];
    await fireEvent.keyDown(canvas(), { key: 'a', code: 'KeyA' });
    await fireEvent.keyDown(canvas(), { key: 'Shift', code: 'ShiftLeft' });
    await fireEvent.keyUp(canvas(), { key: 'a', code: 'KeyA' });
    await fireEvent.blur(canvas());
    expect(c.inputs).toEqual([
      { type: 'key', key: 'a', code: 'KeyA', down: true },
      { type: 'key', key: 'Shift', code: 'ShiftLeft', down: true },
      { type: 'key', key: 'a', code: 'KeyA', down: false },
      { type: 'key', key: 'Shift', code: 'ShiftLeft', down: false },
    ]);
  });

  it('sends input one call at a time, in order, even when a call is slow', async () => {
    show('u-run');
    await waitFor(() => expect(stateEl().dataset.state).toBe('connected'));
    const calls: string[] = [];
    let release = () => {};
    const slow = new Promise<void>((resolve) => (release = resolve));
    vi.spyOn(api, 'consoleInput').mockImplementation(async (_id, input) => {
      const what = input.type === 'key' ? `${input.key}${input.down ? '+' : '-'}` : input.type;
      calls.push(what);
      if (what === 'a+') await slow;
    });
    await fireEvent.keyDown(canvas(), { key: 'a', code: 'KeyA' });
    await fireEvent.keyUp(canvas(), { key: 'a', code: 'KeyA' });
    await fireEvent.keyDown(canvas(), { key: 'b', code: 'KeyB' });
    await new Promise((r) => setTimeout(r, 20));
    // The release waits for the press's call to be done.
    expect(calls).toEqual(['a+']);
    release();
    await waitFor(() => expect(calls).toEqual(['a+', 'a-', 'b+']));
  });

  it('sends Ctrl+Alt+Del and Ctrl+Alt+F2 from the menu, and clipboard text', async () => {
    show('u-run');
    await waitFor(() => expect(stateEl().dataset.state).toBe('connected'));
    const [[, c]] = [...api.consoles];
    await fireEvent.click(screen.getByTestId('console-sendkeys'));
    await fireEvent.click(screen.getByTestId('console-combo-ctrl-alt-del'));
    await fireEvent.click(screen.getByTestId('console-sendkeys'));
    await fireEvent.click(screen.getByTestId('console-combo-ctrl-alt-f2'));
    await fireEvent.click(screen.getByTestId('console-paste'));
    await fireEvent.input(screen.getByTestId('console-paste-text'), { target: { value: 'héllo' } });
    await fireEvent.click(screen.getByTestId('console-paste-send'));
    expect(c.inputs).toEqual([
      { type: 'send_keys', combo: { kind: 'ctrl_alt_del' } },
      { type: 'send_keys', combo: { kind: 'ctrl_alt_f', n: 2 } },
      { type: 'clipboard', text: 'héllo' },
    ]);
  });

  it('maps mouse buttons to the RFB mask', async () => {
    show('u-run');
    await waitFor(() => expect(stateEl().dataset.state).toBe('connected'));
    const [[, c]] = [...api.consoles];
    await fireEvent.mouseDown(canvas(), { buttons: 2, clientX: 0, clientY: 0 });
    expect(c.inputs.at(-1)).toMatchObject({ type: 'pointer', buttons: 4 });
  });

  it('sends the pointer where it is on the framebuffer, a wheel turn as press and release', async () => {
    show('u-run');
    await waitFor(() => expect(stateEl().dataset.state).toBe('connected'));
    const [[, c]] = [...api.consoles];
    // Drawn at half size: client (10, 5) is framebuffer (20, 10).
    canvas().getBoundingClientRect = () => ({ left: 0, top: 0, width: FAKE_SCREEN.w / 2, height: FAKE_SCREEN.h / 2 }) as DOMRect;
    await fireEvent.wheel(canvas(), { deltaY: 3, clientX: 10, clientY: 5 });
    await fireEvent.wheel(canvas(), { deltaY: -3, clientX: 10, clientY: 5 });
    await waitFor(() => expect(c.inputs).toHaveLength(4));
    expect(c.inputs).toEqual([
      { type: 'pointer', x: 20, y: 10, buttons: 16 },
      { type: 'pointer', x: 20, y: 10, buttons: 0 },
      { type: 'pointer', x: 20, y: 10, buttons: 8 },
      { type: 'pointer', x: 20, y: 10, buttons: 0 },
    ]);
  });

  it('sends one move per animation frame, the latest, and lets go of a held button on blur', async () => {
    const frames: FrameRequestCallback[] = [];
    const raf = vi.spyOn(window, 'requestAnimationFrame').mockImplementation((cb) => frames.push(cb));
    try {
      show('u-run');
      await waitFor(() => expect(stateEl().dataset.state).toBe('connected'));
      const [[, c]] = [...api.consoles];
      for (const x of [1, 2, 3]) await fireEvent.mouseMove(canvas(), { clientX: x, clientY: 4, buttons: 0 });
      expect(c.inputs).toEqual([]);
      frames.splice(0).forEach((cb) => cb(0));
      await waitFor(() => expect(c.inputs).toEqual([{ type: 'pointer', x: 3, y: 4, buttons: 0 }]));
      await fireEvent.mouseDown(canvas(), { clientX: 5, clientY: 6, buttons: 1 });
      await fireEvent.blur(canvas());
      await waitFor(() => expect(c.inputs).toHaveLength(3));
      expect(c.inputs.slice(1)).toEqual([
        { type: 'pointer', x: 5, y: 6, buttons: 1 },
        { type: 'pointer', x: 5, y: 6, buttons: 0 },
      ]);
    } finally {
      raf.mockRestore();
    }
  });

  it('types nothing when view-only', async () => {
    show('u-run', true);
    await waitFor(() => expect(stateEl().dataset.state).toBe('connected'));
    const [[, c]] = [...api.consoles];
    await fireEvent.keyDown(canvas(), { key: 'a', code: 'KeyA' });
    expect(c.inputs).toEqual([]);
    expect((screen.getByTestId('console-sendkeys') as HTMLButtonElement).disabled).toBe(true);
    expect(api.calls).toContain('open_console h1 u-run view-only');
  });

  it('follows reconnecting with its reason, then connected again', async () => {
    show('u-run');
    await waitFor(() => expect(stateEl().dataset.state).toBe('connected'));
    const [[id]] = [...api.consoles];
    api.consoleFrame(id, encodeRecords([{ kind: 'state', state: 'reconnecting', reason: 'the VNC server closed the connection' }]));
    await waitFor(() => expect(stateEl().dataset.state).toBe('reconnecting'));
    expect(stateEl().textContent).toContain('the VNC server closed the connection');
    api.consoleFrame(id, encodeRecords([{ kind: 'state', state: 'connected', reason: '' }]));
    await waitFor(() => expect(stateEl().dataset.state).toBe('connected'));
  });

  it('shows why a stopped VM has no console', async () => {
    show('u-off');
    const err = await screen.findByTestId('console-error');
    expect(err.textContent).toContain('shut off');
    expect(stateEl().dataset.state).toBe('closed');
  });

  it('shows where the screenshot went', async () => {
    show('u-run');
    await waitFor(() => expect(stateEl().dataset.state).toBe('connected'));
    await fireEvent.click(screen.getByTestId('console-screenshot'));
    expect((await screen.findByTestId('console-screenshot-path')).textContent).toContain('.png');
  });

  it('closes its connection when closed', async () => {
    const { onclose, unmount } = show('u-run');
    await waitFor(() => expect(api.consoles.size).toBe(1));
    await fireEvent.click(screen.getByTestId('console-close'));
    expect(onclose).toHaveBeenCalled();
    unmount();
    await waitFor(() => expect(api.consoles.size).toBe(0));
  });

  it('is in Chinese when the app is', async () => {
    setLocale('zh');
    show('u-run');
    await waitFor(() => expect(stateEl().textContent).toContain('已连接'));
    expect(screen.getByTestId('console-sendkeys').textContent).toContain('发送按键');
  });
});
