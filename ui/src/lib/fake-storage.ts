// The fake backend's storage, tasks and VM creation (see fake-api.ts): pools, volumes, the
// ISO library, and tasks that a test moves on by hand (`progress`, `finish`, `fail`), each
// change pushed as the core's `task` event. Refusals use the core's codes and wording.
import type { ErrorPayload } from '../bindings/ErrorPayload';
import type { HostEvent } from '../bindings/HostEvent';
import type { HostLimits } from '../bindings/HostLimits';
import type { NewPool } from '../bindings/NewPool';
import type { NewVm } from '../bindings/NewVm';
import type { NewVolume } from '../bindings/NewVolume';
import type { PoolAction } from '../bindings/PoolAction';
import type { PoolSummary } from '../bindings/PoolSummary';
import type { TaskKind } from '../bindings/TaskKind';
import type { TaskSummary } from '../bindings/TaskSummary';
import type { VmSummary } from '../bindings/VmSummary';
import type { VolumeSummary } from '../bindings/VolumeSummary';
import { vmNameProblem } from './names';

export const ISO_POOL = 'vireo-isos';

function refuse(code: string, message: string, hint: string | null = null): ErrorPayload {
  return { code, message, hint };
}

export function fakePool(over: Partial<PoolSummary> = {}): PoolSummary {
  const name = over.name ?? 'default';
  return {
    name,
    uuid: `uuid-pool-${name}`,
    kind: 'dir',
    state: 'running',
    autostart: true,
    path: `/var/lib/libvirt/images/${name}`,
    capacity: 100 * 2 ** 30,
    allocation: 10 * 2 ** 30,
    available: 90 * 2 ** 30,
    volumes: 0,
    ...over,
  };
}

export function fakeVolume(pool: PoolSummary, over: Partial<VolumeSummary> = {}): VolumeSummary {
  const name = over.name ?? 'disk.qcow2';
  return {
    pool: pool.name,
    name,
    path: `${pool.path}/${name}`,
    format: 'qcow2',
    capacity: 1 << 30,
    allocation: 1 << 20,
    backing: null,
    sha256: null,
    used_by: [],
    ...over,
  };
}

/** What a task does when a test finishes it. */
type Finish = () => string | null;

export class FakeStorage {
  pools: Record<string, PoolSummary[]> = {};
  volumes: Record<string, VolumeSummary[]> = {};
  limits: HostLimits = { memory_kib: 8 << 20, cpus: 4, uefi: false };
  networks: string[] = ['default'];
  /** Files on "this workstation" the upload can read: path -> size and SHA-256. */
  files = new Map<string, { size: number; sha256: string }>();
  tasks: TaskSummary[] = [];
  calls: string[] = [];
  isoDirs: Record<string, string> = {};
  #finish = new Map<string, Finish>();
  #next = 1;

  constructor(
    private emit: (ev: HostEvent) => void,
    private vms: (hostId: string) => VmSummary[],
  ) {}

  #pool(hostId: string, name: string): PoolSummary {
    const pool = (this.pools[hostId] ?? []).find((p) => p.name === name);
    if (!pool) throw refuse('not_found', `no storage pool named '${name}' on this host`);
    return pool;
  }

  #vols(hostId: string, pool: string): VolumeSummary[] {
    return (this.volumes[`${hostId}/${pool}`] ??= []);
  }

  addPool(hostId: string, pool: PoolSummary, vols: VolumeSummary[] = []): void {
    (this.pools[hostId] ??= []).push(pool);
    this.volumes[`${hostId}/${pool.name}`] = vols;
  }

  listPools(hostId: string): PoolSummary[] {
    return structuredClone(this.pools[hostId] ?? []);
  }

  createPool(hostId: string, p: NewPool): PoolSummary {
    if (vmNameProblem(p.name)) throw refuse('invalid_input', `invalid pool name: '${p.name}'`);
    if ((this.pools[hostId] ?? []).some((x) => x.name === p.name)) throw refuse('already_exists', `storage pool ${p.name} already exists`);
    const pool = fakePool({ name: p.name, kind: p.target.kind, autostart: p.autostart, path: p.target.kind === 'logical' ? `/dev/${p.target.volume_group}` : p.target.path });
    this.addPool(hostId, pool);
    return structuredClone(pool);
  }

  poolAction(hostId: string, name: string, action: PoolAction): void {
    const pool = this.#pool(hostId, name);
    if (action === 'start') pool.state = 'running';
    else if (action === 'stop') pool.state = 'inactive';
    else if (action !== 'refresh') pool.autostart = action.autostart;
  }

  deletePool(hostId: string, name: string): void {
    this.#pool(hostId, name);
    this.pools[hostId] = this.pools[hostId].filter((p) => p.name !== name);
  }

  listVolumes(hostId: string, pool: string): VolumeSummary[] {
    this.#pool(hostId, pool);
    return structuredClone(this.#vols(hostId, pool));
  }

  createVolume(hostId: string, poolName: string, v: NewVolume): VolumeSummary {
    const pool = this.#pool(hostId, poolName);
    if (vmNameProblem(v.name)) throw refuse('invalid_input', `invalid volume name: '${v.name}'`);
    if (v.capacity <= 0) throw refuse('invalid_input', 'invalid volume size: it is 0; give a size above zero, e.g. 10 GiB');
    const vols = this.#vols(hostId, poolName);
    if (vols.some((x) => x.name === v.name)) throw refuse('already_exists', `volume ${poolName}/${v.name} already exists`);
    const vol = fakeVolume(pool, { name: v.name, capacity: v.capacity, format: v.format, backing: v.backing });
    vols.push(vol);
    return structuredClone(vol);
  }

  resizeVolume(hostId: string, pool: string, name: string, capacity: number): void {
    const vol = this.#vols(hostId, pool).find((v) => v.name === name);
    if (!vol) throw refuse('not_found', `no volume ${pool}/${name}`);
    if (capacity < vol.capacity) throw refuse('invalid_input', 'invalid size: volumes only grow');
    vol.capacity = capacity;
  }

  deleteVolume(hostId: string, pool: string, name: string): void {
    const vols = this.#vols(hostId, pool);
    const vol = vols.find((v) => v.name === name);
    if (!vol) throw refuse('not_found', `no volume ${pool}/${name}`);
    if (vol.used_by.length > 0) throw refuse('in_use', `volume ${pool}/${name} is used by ${vol.used_by.join(', ')}`, 'Remove it from those VMs first.');
    this.volumes[`${hostId}/${pool}`] = vols.filter((v) => v !== vol);
  }

  /** The library's pool, made on first use as the core does. */
  listIsos(hostId: string): VolumeSummary[] {
    if (!(this.pools[hostId] ?? []).some((p) => p.name === ISO_POOL)) {
      this.addPool(hostId, fakePool({ name: ISO_POOL, path: this.isoDir(hostId) }));
    }
    return this.listVolumes(hostId, ISO_POOL);
  }

  /** Like the core: an empty library's pool goes (made again at `dir`), one holding ISOs stays. */
  moveIsoLibrary(hostId: string, dir: string): void {
    const pool = (this.pools[hostId] ?? []).find((p) => p.name === ISO_POOL);
    if (pool && pool.path !== dir) {
      const held = this.#vols(hostId, ISO_POOL).length;
      if (held > 0) {
        throw refuse('invalid_state', `cannot move the ISO library (${pool.path}): it is holding ${held} ISO(s); delete them first, or keep the library where it is`);
      }
      this.pools[hostId] = (this.pools[hostId] ?? []).filter((p) => p !== pool);
    }
    this.isoDirs[hostId] = dir;
  }

  isoDir(hostId: string): string {
    return this.isoDirs[hostId] ?? '/var/lib/libvirt/images/vireo-isos';
  }

  uploadIso(hostId: string, path: string, name: string | null, sha: string | null): TaskSummary {
    this.listIsos(hostId);
    const volName = name ?? path.split('/').pop() ?? '';
    if (vmNameProblem(volName)) throw refuse('invalid_input', `invalid volume name: '${volName}'`);
    if (sha !== null && !/^[0-9a-fA-F]{64}$/.test(sha.trim())) throw refuse('invalid_input', `invalid SHA-256: '${sha}' is not 64 hexadecimal digits`);
    const file = this.files.get(path);
    if (!file) throw refuse('not_found', `no file at ${path} on this computer`);
    if (this.#vols(hostId, ISO_POOL).some((v) => v.name === volName)) throw refuse('already_exists', `volume ${ISO_POOL}/${volName} already exists`);
    const task = this.#start(hostId, 'upload_volume', `${ISO_POOL}/${volName}`, () => {
      if (sha !== null && sha.trim().toLowerCase() !== file.sha256) throw refuse('checksum_mismatch', `the upload's SHA-256 is ${file.sha256}, not ${sha}`);
      const pool = this.#pool(hostId, ISO_POOL);
      this.#vols(hostId, ISO_POOL).push(fakeVolume(pool, { name: volName, format: 'iso', capacity: file.size, allocation: file.size, sha256: file.sha256 }));
      return file.sha256;
    });
    Object.assign(task, { step: 'uploading', unit: 'bytes', total: file.size, cancellable: true });
    this.#push(task);
    return structuredClone(task);
  }

  deleteIso(hostId: string, name: string): void {
    this.deleteVolume(hostId, ISO_POOL, name);
  }

  createVm(hostId: string, vm: NewVm, addVm: (vm: VmSummary) => void): TaskSummary {
    if (vmNameProblem(vm.name)) throw refuse('invalid_input', `invalid VM name: '${vm.name}'`);
    if (this.vms(hostId).some((v) => v.name === vm.name)) throw refuse('already_exists', `VM ${vm.name} already exists on this host`);
    if (vm.memory_mib * 1024 > this.limits.memory_kib) {
      throw refuse('beyond_host', `the host cannot give that much memory: ${vm.memory_mib} MiB asked, the host has ${this.limits.memory_kib / 1024} MiB`);
    }
    if (vm.vcpus > this.limits.cpus) throw refuse('beyond_host', `the host cannot give that many vCPUs: ${vm.vcpus} asked, the host has ${this.limits.cpus} CPUs`);
    const task = this.#start(hostId, 'create_vm', vm.name, () => {
      const uuid = `uuid-${vm.name}`;
      if (vm.disk.kind === 'blank') {
        const pool = this.#pool(hostId, vm.disk.pool);
        this.#vols(hostId, pool.name).push(fakeVolume(pool, { name: `${vm.name}.qcow2`, capacity: vm.disk.size, used_by: [vm.name] }));
      }
      if (vm.cdrom) for (const v of this.#vols(hostId, ISO_POOL)) if (v.path === vm.cdrom) v.used_by.push(vm.name);
      addVm({
        uuid, name: vm.name, state: vm.start ? 'running' : 'shut_off', vcpus: vm.vcpus, memory_kib: vm.memory_mib * 1024, max_memory_kib: vm.memory_mib * 1024,
        cpu_percent: null, memory_rss_kib: null, disk_read_bytes: 0, disk_write_bytes: 0, net_rx_bytes: 0, net_tx_bytes: 0,
      });
      return uuid;
    });
    Object.assign(task, { total: vm.start ? 4 : 3, cancellable: true });
    this.#push(task);
    return structuredClone(task);
  }

  deleteVm(hostId: string, uuid: string, removeStorage: boolean, removeVm: (uuid: string) => string | null): TaskSummary {
    const vm = this.vms(hostId).find((v) => v.uuid === uuid);
    if (!vm) throw refuse('vm_not_found', `no VM with UUID ${uuid} on this host`);
    this.calls.push(`delete_vm ${vm.name}${removeStorage ? ' with storage' : ''}`);
    const task = this.#start(hostId, 'delete_vm', vm.name, () => {
      const name = removeVm(uuid);
      for (const [key, vols] of Object.entries(this.volumes)) {
        if (!key.startsWith(`${hostId}/`)) continue;
        for (const v of vols) v.used_by = v.used_by.filter((u) => u !== name);
        if (removeStorage) this.volumes[key] = vols.filter((v) => v.name !== `${name}.qcow2`);
      }
      return null;
    });
    task.step = 'deleting';
    this.#push(task);
    return structuredClone(task);
  }

  /** A running task of another fake (revert, clone): `finish` does its work when a test finishes it. */
  startTask(hostId: string, kind: TaskKind, target: string, finish: Finish, step: TaskSummary['step'] = 'checking'): TaskSummary {
    const task = this.#start(hostId, kind, target, finish);
    task.step = step;
    this.#push(task);
    return structuredClone(task);
  }

  cancelTask(id: string): void {
    const task = this.#task(id);
    if (task.state !== 'running') return;
    if (!task.cancellable) throw refuse('invalid_state', `cannot cancel ${task.target}: it is past the point where it can stop`);
    this.#end(task, 'cancelled', null, refuse('cancelled', `${task.target} was cancelled`));
  }

  /** Moves a running task on: `done` of its total, at `speed` bytes/s. */
  progress(id: string, done: number, speed: number | null = null): void {
    const task = this.#task(id);
    Object.assign(task, { done, bytes_per_sec: task.unit === 'bytes' ? speed : null });
    this.#push(task);
  }

  /** Ends the task as the core would: its work done, or the refusal that work throws. */
  finish(id: string): void {
    const task = this.#task(id);
    try {
      const result = this.#finish.get(id)?.() ?? null;
      this.#end(task, 'succeeded', result, null);
    } catch (e) {
      this.#end(task, 'failed', null, e as ErrorPayload);
    }
  }

  fail(id: string, error: ErrorPayload): void {
    this.#end(this.#task(id), 'failed', null, error);
  }

  #task(id: string): TaskSummary {
    const task = this.tasks.find((t) => t.id === id);
    if (!task) throw refuse('not_found', `no task ${id} in this app`);
    return task;
  }

  #start(hostId: string, kind: TaskKind, target: string, finish: Finish): TaskSummary {
    const task: TaskSummary = {
      id: `t-${this.#next++}`, host_id: hostId, kind, target, state: 'running', step: 'checking', unit: 'steps', done: 0, total: null,
      bytes_per_sec: null, cancellable: false, started_ms: Date.now(), ended_ms: null, result: null, error: null,
    };
    this.tasks.unshift(task);
    this.#finish.set(task.id, finish);
    return task;
  }

  #end(task: TaskSummary, state: TaskSummary['state'], result: string | null, error: ErrorPayload | null): void {
    Object.assign(task, { state, result, error, ended_ms: Date.now(), cancellable: false, bytes_per_sec: null, done: state === 'succeeded' ? (task.total ?? task.done) : task.done });
    this.#push(task);
  }

  #push(task: TaskSummary): void {
    // Asynchronously, as the core's events arrive after the command's answer.
    const copy = structuredClone(task);
    setTimeout(() => this.emit({ kind: 'task', task: copy }), 0);
  }
}
