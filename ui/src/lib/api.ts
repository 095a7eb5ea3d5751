// Every call into the Rust core goes through here: the only module that imports
// @tauri-apps/api, so tests can swap it and the command names live in one place.
import { invoke } from '@tauri-apps/api/core';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';
import type { Accel } from '../bindings/Accel';
import type { BatchAction } from '../bindings/BatchAction';
import type { BatchItem } from '../bindings/BatchItem';
import type { CdromDrive } from '../bindings/CdromDrive';
import type { ChangeOutcome } from '../bindings/ChangeOutcome';
import type { NewClone } from '../bindings/NewClone';
import type { NewSnapshot } from '../bindings/NewSnapshot';
import type { SnapshotSummary } from '../bindings/SnapshotSummary';
import type { VmAddresses } from '../bindings/VmAddresses';
import type { VmChange } from '../bindings/VmChange';
import type { VmDetail } from '../bindings/VmDetail';
import type { ConsoleInfo } from '../bindings/ConsoleInfo';
import type { ConsoleInput } from '../bindings/ConsoleInput';
import type { ConsoleOpened } from '../bindings/ConsoleOpened';
import type { HistoryEntry } from '../bindings/HistoryEntry';
import type { HostEvent } from '../bindings/HostEvent';
import type { HostSummary } from '../bindings/HostSummary';
import type { HostLimits } from '../bindings/HostLimits';
import type { HostTarget } from '../bindings/HostTarget';
import type { NewPool } from '../bindings/NewPool';
import type { NewVm } from '../bindings/NewVm';
import type { NewVolume } from '../bindings/NewVolume';
import type { PoolAction } from '../bindings/PoolAction';
import type { PoolSummary } from '../bindings/PoolSummary';
import type { PromptAnswer } from '../bindings/PromptAnswer';
import type { TaskSummary } from '../bindings/TaskSummary';
import type { VmAction } from '../bindings/VmAction';
import type { VmSummary } from '../bindings/VmSummary';
import type { VolumeSummary } from '../bindings/VolumeSummary';
import { toErrorPayload } from './errors';
import { ConsoleSocket } from './console/socket';
import { networkCalls, type NetworkApi } from '../networks/network-api';
import { ipPoolCalls, type IpPoolApi } from '../ippools/ip-pool-api';

/** Rejections are always normalised to an ErrorPayload. */
async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (error) {
    throw toErrorPayload(error);
  }
}

export interface Api extends NetworkApi, IpPoolApi {
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
  /** Running tasks and the most recent ended ones, newest first; changes arrive as `task` events. */
  listTasks(): Promise<TaskSummary[]>;
  /** Asks a task to stop; refused when it is past the point where it can. */
  cancelTask(id: string): Promise<void>;
  listPools(hostId: string): Promise<PoolSummary[]>;
  createPool(hostId: string, pool: NewPool): Promise<PoolSummary>;
  poolAction(hostId: string, name: string, action: PoolAction): Promise<void>;
  deletePool(hostId: string, name: string, deleteContents: boolean): Promise<void>;
  /** The pool's volumes, each with the VMs using it and the SHA-256 Vireo checked. */
  listVolumes(hostId: string, pool: string): Promise<VolumeSummary[]>;
  createVolume(hostId: string, pool: string, volume: NewVolume): Promise<VolumeSummary>;
  resizeVolume(hostId: string, pool: string, name: string, capacity: number): Promise<void>;
  /** Refused, naming them, while VMs use the volume. */
  deleteVolume(hostId: string, pool: string, name: string): Promise<void>;
  /** The host's ISO library (made on first use). */
  listIsos(hostId: string): Promise<VolumeSummary[]>;
  /** Uploads a file on this workstation into the library, as a task; its checksum is checked when given. */
  uploadIso(hostId: string, path: string, name: string | null, expectedSha256: string | null): Promise<TaskSummary>;
  /** Refused, naming them, while VMs have the ISO in a drive. */
  deleteIso(hostId: string, name: string): Promise<void>;
  isoDir(hostId: string): Promise<string>;
  setIsoDir(hostId: string, dir: string): Promise<void>;
  /** What a new VM may ask of the host: memory, CPUs, UEFI. */
  hostLimits(hostId: string): Promise<HostLimits>;
  /** The host's libvirt networks, for a new VM's NICs. */
  listNetworkNames(hostId: string): Promise<string[]>;
  /** Checks the form against the host and starts making the VM, as a task. */
  createVm(hostId: string, vm: NewVm): Promise<TaskSummary>;
  /** Deletes the VM, as a task; its disks too when `removeStorage`. */
  deleteVm(hostId: string, uuid: string, removeStorage: boolean): Promise<TaskSummary>;
  /** The VM's configuration: what runs now and what the next boot gets. */
  vmDetail(hostId: string, uuid: string): Promise<VmDetail>;
  /** One change to the VM; the outcome says whether it is live now or from the next boot. */
  changeVm(hostId: string, uuid: string, change: VmChange): Promise<ChangeOutcome>;
  /** The running VMs' IP addresses, for the whole host in one call. */
  vmAddresses(hostId: string): Promise<VmAddresses[]>;
  /** Every VM's tags, by UUID, for the whole host in one call. */
  vmTags(hostId: string): Promise<Record<string, string[]>>;
  /** Sets a guest user's password through the guest agent (refused with no_guest_agent without one). */
  setGuestPassword(hostId: string, uuid: string, user: string, password: string): Promise<void>;
  /** The action on each selected VM (a few at a time); each one's outcome. */
  batchVms(hostId: string, uuids: string[], action: BatchAction): Promise<BatchItem[]>;
  /** The VM's CD-ROM drives, each with the image in it. */
  cdromDrives(hostId: string, uuid: string): Promise<CdromDrive[]>;
  /** Puts the ISO at this path (a volume's path) in the drive, or ejects it (null); live too. */
  changeMedia(hostId: string, uuid: string, target: string, iso: string | null): Promise<CdromDrive[]>;
  /** The VM's snapshots; `parent` and `children` make the tree. */
  listSnapshots(hostId: string, uuid: string): Promise<SnapshotSummary[]>;
  createSnapshot(hostId: string, uuid: string, snapshot: NewSnapshot): Promise<SnapshotSummary>;
  /** Brings the VM back to the snapshot, as a task. */
  revertSnapshot(hostId: string, uuid: string, snapshot: string): Promise<TaskSummary>;
  /** Refused while it has children unless `withChildren`. */
  deleteSnapshot(hostId: string, uuid: string, snapshot: string, withChildren: boolean): Promise<void>;
  /** Clones the shut-off VM, full or linked, as a task. */
  cloneVm(hostId: string, uuid: string, clone: NewClone): Promise<TaskSummary>;
}

/** The open consoles' sockets, by console id. */
const consoleSockets = new Map<string, ConsoleSocket>();

export const api: Api = {
  ...networkCalls(call),
  ...ipPoolCalls(call),
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
  listTasks: () => call<TaskSummary[]>('list_tasks'),
  cancelTask: async (id) => {
    await call<null>('cancel_task', { id });
  },
  listPools: (hostId) => call<PoolSummary[]>('list_pools', { hostId }),
  createPool: (hostId, pool) => call<PoolSummary>('create_pool', { hostId, pool }),
  poolAction: async (hostId, name, action) => {
    await call<null>('pool_action', { hostId, name, action });
  },
  deletePool: async (hostId, name, deleteContents) => {
    await call<null>('delete_pool', { hostId, name, deleteContents });
  },
  listVolumes: (hostId, pool) => call<VolumeSummary[]>('list_volumes', { hostId, pool }),
  createVolume: (hostId, pool, volume) => call<VolumeSummary>('create_volume', { hostId, pool, volume }),
  resizeVolume: async (hostId, pool, name, capacity) => {
    await call<null>('resize_volume', { hostId, pool, name, capacity });
  },
  deleteVolume: async (hostId, pool, name) => {
    await call<null>('delete_volume', { hostId, pool, name });
  },
  listIsos: (hostId) => call<VolumeSummary[]>('list_isos', { hostId }),
  uploadIso: (hostId, path, name, expectedSha256) => call<TaskSummary>('upload_iso', { hostId, path, name, expectedSha256 }),
  deleteIso: async (hostId, name) => {
    await call<null>('delete_iso', { hostId, name });
  },
  isoDir: (hostId) => call<string>('iso_dir', { hostId }),
  setIsoDir: async (hostId, dir) => {
    await call<null>('set_iso_dir', { hostId, dir });
  },
  hostLimits: (hostId) => call<HostLimits>('host_limits', { hostId }),
  listNetworkNames: (hostId) => call<string[]>('list_network_names', { hostId }),
  createVm: (hostId, vm) => call<TaskSummary>('create_vm', { hostId, vm }),
  deleteVm: (hostId, uuid, removeStorage) => call<TaskSummary>('delete_vm', { hostId, uuid, removeStorage }),
  vmDetail: (hostId, uuid) => call<VmDetail>('vm_detail', { hostId, uuid }),
  changeVm: (hostId, uuid, change) => call<ChangeOutcome>('change_vm', { hostId, uuid, change }),
  vmAddresses: (hostId) => call<VmAddresses[]>('vm_addresses', { hostId }),
  vmTags: (hostId) => call<Record<string, string[]>>('vm_tags', { hostId }),
  setGuestPassword: async (hostId, uuid, user, password) => {
    await call<null>('set_guest_password', { hostId, uuid, user, password });
  },
  batchVms: (hostId, uuids, action) => call<BatchItem[]>('batch_vms', { hostId, uuids, action }),
  cdromDrives: (hostId, uuid) => call<CdromDrive[]>('cdrom_drives', { hostId, uuid }),
  changeMedia: (hostId, uuid, target, iso) => call<CdromDrive[]>('change_media', { hostId, uuid, target, iso }),
  listSnapshots: (hostId, uuid) => call<SnapshotSummary[]>('list_snapshots', { hostId, uuid }),
  createSnapshot: (hostId, uuid, snapshot) => call<SnapshotSummary>('create_snapshot', { hostId, uuid, snapshot }),
  revertSnapshot: (hostId, uuid, snapshot) => call<TaskSummary>('revert_snapshot', { hostId, uuid, snapshot }),
  deleteSnapshot: async (hostId, uuid, snapshot, withChildren) => {
    await call<null>('delete_snapshot', { hostId, uuid, snapshot, withChildren });
  },
  cloneVm: (hostId, uuid, clone) => call<TaskSummary>('clone_vm', { hostId, uuid, clone }),
};
