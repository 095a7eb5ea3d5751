// Every call into the Rust core goes through here: the only module that imports
// @tauri-apps/api, so tests can swap it and the command names live in one place.
import { invoke } from '@tauri-apps/api/core';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';
import type { Accel } from '../bindings/Accel';
import type { ConsoleInfo } from '../bindings/ConsoleInfo';
import type { ConsoleInput } from '../bindings/ConsoleInput';
import type { ConsoleOpened } from '../bindings/ConsoleOpened';
import type { HistoryEntry } from '../bindings/HistoryEntry';
import type { HostEvent } from '../bindings/HostEvent';
import type { HostSummary } from '../bindings/HostSummary';
import type { HostTarget } from '../bindings/HostTarget';
import type { PromptAnswer } from '../bindings/PromptAnswer';
import type { VmAction } from '../bindings/VmAction';
import type { VmSummary } from '../bindings/VmSummary';
import { toErrorPayload } from './errors';
import { ConsoleSocket } from './console/socket';

/** Rejections are always normalised to an ErrorPayload. */
async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (error) {
    throw toErrorPayload(error);
  }
}

export interface Api {
  listHosts(): Promise<HostSummary[]>;
  listVms(hostId: string): Promise<VmSummary[]>;
  /** A lifecycle action on the VM with this UUID. */
  vmAction(hostId: string, uuid: string, action: VmAction): Promise<void>;
  setHostAccel(hostId: string, accel: Accel): Promise<void>;
  /** Saves a host; it connects in the background and reports through `host_status` events. */
  addHost(name: string, target: HostTarget): Promise<HostSummary>;
  /** Renames a saved host or changes how it is reached; it reconnects with the new settings. */
  editHost(hostId: string, name: string, target: HostTarget): Promise<HostSummary>;
  /** Connects (again) now; the outcome, and any prompt, arrives as `host_status` events. */
  connectHost(hostId: string): Promise<void>;
  /** Stops watching the host until it is connected again; its VMs are not touched. */
  disconnectHost(hostId: string): Promise<void>;
  /**
   * Answers the host's `prompt`. Rejects when the answer does not fit it (e.g. a fingerprint
   * other than the one asked about); what follows arrives as `host_status` events.
   */
  answerPrompt(hostId: string, answer: PromptAnswer): Promise<void>;
  /** Forgets a saved host; its VMs are not touched. */
  removeHost(hostId: string): Promise<void>;
  /** The newest `limit` recorded changes, newest first. */
  listHistory(limit: number): Promise<HistoryEntry[]>;
  /**
   * Host events: lifecycle changes, connection status, the figures of running VMs (every
   * ~2 s while a host runs any) and `resync` when events were missed.
   */
  onHostEvent(handler: (event: HostEvent) => void): Promise<UnlistenFn>;
  /**
   * Opens the VNC console of the running VM with this UUID. Its frames arrive on `onFrame`
   * as binary messages (lib/console/wire.ts), starting with its state and size; it keeps
   * reconnecting by itself until `closeConsole`.
   */
  openConsole(hostId: string, uuid: string, viewOnly: boolean, onFrame: (buf: ArrayBuffer) => void): Promise<ConsoleInfo>;
  /** A key, pointer, clipboard or key-combination input for an open console. */
  consoleInput(id: string, input: ConsoleInput): Promise<void>;
  /** Saves the console's screen as a PNG; the file's path. */
  consoleScreenshot(id: string): Promise<string>;
  /** Closes the console: its connection, tunnel and reconnecting. */
  closeConsole(id: string): Promise<void>;
  /** Logs a named timing mark in the core's log (name: 1-40 of a-z, 0-9, '-'). */
  mark(name: string): Promise<void>;
}

/** The open consoles' sockets, by console id. */
const consoleSockets = new Map<string, ConsoleSocket>();

export const api: Api = {
  listHosts: () => call<HostSummary[]>('list_hosts'),
  listVms: (hostId) => call<VmSummary[]>('list_vms', { hostId }),
  vmAction: async (hostId, uuid, action) => {
    await call<null>('vm_action', { hostId, uuid, action });
  },
  setHostAccel: async (hostId, accel) => {
    await call<null>('set_host_accel', { hostId, accel });
  },
  addHost: (name, target) => call<HostSummary>('add_host', { name, target }),
  editHost: (hostId, name, target) => call<HostSummary>('edit_host', { hostId, name, target }),
  connectHost: async (hostId) => {
    await call<null>('connect_host', { hostId });
  },
  disconnectHost: async (hostId) => {
    await call<null>('disconnect_host', { hostId });
  },
  answerPrompt: async (hostId, answer) => {
    await call<null>('answer_prompt', { hostId, answer });
  },
  removeHost: async (hostId) => {
    await call<null>('remove_host', { hostId });
  },
  listHistory: (limit) => call<HistoryEntry[]>('list_history', { limit }),
  onHostEvent: (handler) => listen<HostEvent>('host-event', (event) => handler(event.payload)),
  openConsole: async (hostId, uuid, viewOnly, onFrame) => {
    const opened = await call<ConsoleOpened>('open_console', { hostId, vm: uuid, viewOnly });
    consoleSockets.set(opened.info.id, new ConsoleSocket(opened.socket_url, onFrame));
    return opened.info;
  },
  consoleInput: async (id, input) => {
    const socket = consoleSockets.get(id);
    if (socket) socket.send(input);
    else await call<null>('console_input', { id, input });
  },
  consoleScreenshot: (id) => call<string>('console_screenshot', { id }),
  closeConsole: async (id) => {
    consoleSockets.get(id)?.close();
    consoleSockets.delete(id);
    await call<null>('close_console', { id });
  },
  mark: async (name) => {
    await call<null>('ui_mark', { name });
  },
};
