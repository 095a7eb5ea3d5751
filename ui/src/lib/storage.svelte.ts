// The Storage and ISO library pages' state for one host: pools, the chosen pool's volumes,
// the library, and the changes made on them. A refusal is kept to show beside what was
// acted on (a delete refused names the VMs using the volume).
import type { ErrorPayload } from '../bindings/ErrorPayload';
import type { NewPool } from '../bindings/NewPool';
import type { NewVolume } from '../bindings/NewVolume';
import type { PoolAction } from '../bindings/PoolAction';
import type { PoolSummary } from '../bindings/PoolSummary';
import type { TaskSummary } from '../bindings/TaskSummary';
import type { VolumeSummary } from '../bindings/VolumeSummary';
import type { Api } from './api';
import { toErrorPayload } from './errors';

/**
 * Runs a change: true when it was done, else its refusal goes to `refused`; `reload` runs
 * either way (a refused change may still have changed something).
 */
async function change(call: () => Promise<unknown>, refused: (e: ErrorPayload | null) => void, reload: () => Promise<void>): Promise<boolean> {
  refused(null);
  try {
    await call();
    return true;
  } catch (e) {
    refused(toErrorPayload(e));
    return false;
  } finally {
    await reload();
  }
}

export class StorageState {
  pools = $state<PoolSummary[] | null>(null);
  poolsError = $state<ErrorPayload | null>(null);
  selected = $state<string | null>(null);
  volumes = $state<VolumeSummary[] | null>(null);
  volumesError = $state<ErrorPayload | null>(null);
  /** The last change refused. */
  actionError = $state<ErrorPayload | null>(null);
  busy = $state(false);

  #api: Api;
  readonly hostId: string;
  #load = 0;

  constructor(api: Api, hostId: string) {
    this.#api = api;
    this.hostId = hostId;
  }

  selectedPool = $derived(this.pools?.find((p) => p.name === this.selected) ?? null);

  /** Lists the pools, then the chosen pool's volumes (the first running pool's at first). */
  async load(): Promise<void> {
    const load = ++this.#load;
    try {
      const pools = await this.#api.listPools(this.hostId);
      if (load !== this.#load) return;
      this.pools = pools;
      this.poolsError = null;
      if (!pools.some((p) => p.name === this.selected)) this.selected = (pools.find((p) => p.state === 'running') ?? pools[0])?.name ?? null;
    } catch (e) {
      if (load === this.#load) this.poolsError = toErrorPayload(e);
      return;
    }
    await this.loadVolumes();
  }

  async select(pool: string): Promise<void> {
    this.selected = pool;
    this.volumes = null;
    await this.loadVolumes();
  }

  async loadVolumes(): Promise<void> {
    const pool = this.selectedPool;
    if (pool === null || pool.state !== 'running') {
      this.volumes = pool === null ? null : [];
      this.volumesError = null;
      return;
    }
    try {
      const vols = await this.#api.listVolumes(this.hostId, pool.name);
      if (this.selected === pool.name) {
        this.volumes = vols;
        this.volumesError = null;
      }
    } catch (e) {
      if (this.selected === pool.name) this.volumesError = toErrorPayload(e);
    }
  }

  /** Runs a change; true when it was done. The lists are read again either way. */
  async #change(call: () => Promise<unknown>): Promise<boolean> {
    this.busy = true;
    return change(call, (e) => (this.actionError = e), async () => {
      this.busy = false;
      await this.load();
    });
  }

  createPool(pool: NewPool): Promise<boolean> {
    return this.#change(() => this.#api.createPool(this.hostId, pool));
  }

  poolAction(name: string, action: PoolAction): Promise<boolean> {
    return this.#change(() => this.#api.poolAction(this.hostId, name, action));
  }

  deletePool(name: string, deleteContents: boolean): Promise<boolean> {
    return this.#change(() => this.#api.deletePool(this.hostId, name, deleteContents));
  }

  createVolume(volume: NewVolume): Promise<boolean> {
    const pool = this.selected;
    if (pool === null) return Promise.resolve(false);
    return this.#change(() => this.#api.createVolume(this.hostId, pool, volume));
  }

  resizeVolume(name: string, capacity: number): Promise<boolean> {
    const pool = this.selected;
    if (pool === null) return Promise.resolve(false);
    return this.#change(() => this.#api.resizeVolume(this.hostId, pool, name, capacity));
  }

  deleteVolume(name: string): Promise<boolean> {
    const pool = this.selected;
    if (pool === null) return Promise.resolve(false);
    return this.#change(() => this.#api.deleteVolume(this.hostId, pool, name));
  }
}

export class IsoLibrary {
  isos = $state<VolumeSummary[] | null>(null);
  error = $state<ErrorPayload | null>(null);
  /** Where the library is on the host. */
  dir = $state<string | null>(null);
  /** The last upload or delete refused. */
  actionError = $state<ErrorPayload | null>(null);
  /** The upload started from this page last (its progress is in the task list). */
  upload = $state<TaskSummary | null>(null);

  #api: Api;
  readonly hostId: string;

  constructor(api: Api, hostId: string) {
    this.#api = api;
    this.hostId = hostId;
  }

  async load(): Promise<void> {
    try {
      const [isos, dir] = await Promise.all([this.#api.listIsos(this.hostId), this.#api.isoDir(this.hostId)]);
      this.isos = isos;
      this.dir = dir;
      this.error = null;
    } catch (e) {
      this.error = toErrorPayload(e);
    }
  }

  /** Starts an upload of a file on this workstation; null when it was refused (see `actionError`). */
  async startUpload(path: string, name: string, sha256: string): Promise<TaskSummary | null> {
    this.actionError = null;
    try {
      const task = await this.#api.uploadIso(this.hostId, path.trim(), name.trim() || null, sha256.trim() || null);
      this.upload = task;
      return task;
    } catch (e) {
      this.actionError = toErrorPayload(e);
      return null;
    }
  }

  /** Refused while VMs have the ISO in a drive (`actionError` names them). */
  remove(name: string): Promise<boolean> {
    return this.#change(() => this.#api.deleteIso(this.hostId, name));
  }

  setDir(dir: string): Promise<boolean> {
    return this.#change(() => this.#api.setIsoDir(this.hostId, dir.trim()));
  }

  /** Runs a change; true when it was done. The library is read again either way. */
  #change(call: () => Promise<unknown>): Promise<boolean> {
    return change(call, (e) => (this.actionError = e), () => this.load());
  }
}
