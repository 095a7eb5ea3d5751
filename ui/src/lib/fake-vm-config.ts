// The fake backend's VM configurations (see fake-api.ts): each VM's detail, CD-ROM drives and
// snapshots, the changes the detail page makes, and the host's tags and addresses. Refusals
// use the core's codes and wording; revert and clone are tasks of fake-storage.ts.
import type { CdromDrive } from '../bindings/CdromDrive';
import type { ChangeOutcome } from '../bindings/ChangeOutcome';
import type { ErrorPayload } from '../bindings/ErrorPayload';
import type { NewClone } from '../bindings/NewClone';
import type { NewSnapshot } from '../bindings/NewSnapshot';
import type { SnapshotSummary } from '../bindings/SnapshotSummary';
import type { TaskSummary } from '../bindings/TaskSummary';
import type { VmAddresses } from '../bindings/VmAddresses';
import type { VmChange } from '../bindings/VmChange';
import type { VmDetail } from '../bindings/VmDetail';
import type { VmSummary } from '../bindings/VmSummary';
import type { FakeStorage } from './fake-storage';
import { vmNameProblem } from './names';

function refuse(code: string, message: string, hint: string | null = null): ErrorPayload {
  return { code, message, hint };
}

/** A detail for a VM of the list: one virtio disk, a CD-ROM, one NIC on `default`. */
export function fakeDetail(vm: VmSummary, over: Partial<VmDetail> = {}): VmDetail {
  return {
    uuid: vm.uuid,
    name: vm.name,
    state: vm.state,
    persistent: true,
    autostart: false,
    description: '',
    tags: [],
    firmware: 'bios',
    vcpus: vm.vcpus,
    max_vcpus: Math.max(vm.vcpus, 4),
    memory_mib: Math.round(vm.memory_kib / 1024),
    max_memory_mib: Math.round(vm.max_memory_kib / 1024),
    next_vcpus: null,
    next_memory_mib: null,
    disks: [
      { target: 'vda', kind: 'disk', bus: 'virtio', source: `/var/lib/libvirt/images/${vm.name}.qcow2`, format: 'qcow2', readonly: false, boot_order: null },
      { target: 'sda', kind: 'cdrom', bus: 'sata', source: null, format: 'raw', readonly: true, boot_order: null },
    ],
    nics: [{ mac: '52:54:00:00:00:01', network: 'default', model: 'virtio', device: vm.state === 'running' ? 'vnet0' : null, boot_order: null }],
    boot: ['hd', 'cdrom'],
    agent_channel: true,
    ...over,
  };
}

export class FakeVmConfig {
  details: Record<string, VmDetail> = {};
  snapshots: Record<string, SnapshotSummary[]> = {};
  addresses: Record<string, VmAddresses[]> = {};
  /** When set, the next change is refused with it. */
  changeError: ErrorPayload | null = null;
  #clock = 1_700_000_000;

  constructor(
    private storage: FakeStorage,
    private vms: (hostId: string) => VmSummary[],
    private addVm: (hostId: string, vm: VmSummary) => void,
  ) {}

  #vm(hostId: string, uuid: string): VmSummary {
    const vm = this.vms(hostId).find((v) => v.uuid === uuid);
    if (!vm) throw refuse('vm_not_found', `no VM with UUID ${uuid} on this host`, 'the list may be out of date: refresh it');
    return vm;
  }

  detail(hostId: string, uuid: string): VmDetail {
    const vm = this.#vm(hostId, uuid);
    const d = (this.details[uuid] ??= fakeDetail(vm));
    d.state = vm.state;
    return d;
  }

  change(hostId: string, uuid: string, change: VmChange): ChangeOutcome {
    const d = this.detail(hostId, uuid);
    if (this.changeError) {
      const e = this.changeError;
      this.changeError = null;
      throw e;
    }
    const live = d.state === 'running';
    const next = (reason: string | null): ChangeOutcome => ({ applied: 'next_boot', reason: live ? reason : null });
    switch (change.kind) {
      case 'vcpus':
        if (change.count === 0 || change.count > 512) throw refuse('invalid_input', `invalid vCPUs: ${change.count} is not within 1-512`);
        if (live && change.count > d.max_vcpus) {
          d.next_vcpus = change.count;
          return next(`the running VM has at most ${d.max_vcpus} vCPUs`);
        }
        d.vcpus = change.count;
        return live ? { applied: 'now', reason: null } : next(null);
      case 'memory':
        if (change.mib < 16) throw refuse('invalid_input', `invalid memory: ${change.mib} MiB is below 16 MiB`);
        if (live && change.mib > d.max_memory_mib) {
          d.next_memory_mib = change.mib;
          return next(`above the running maximum of ${d.max_memory_mib} MiB`);
        }
        d.memory_mib = change.mib;
        return live ? { applied: 'now', reason: null } : next(null);
      case 'autostart':
        d.autostart = change.on;
        return { applied: 'now', reason: null };
      case 'description':
        d.description = change.text;
        return { applied: 'now', reason: null };
      case 'tags':
        d.tags = [...change.tags];
        return { applied: 'now', reason: null };
      case 'add_disk': {
        const used = new Set(d.disks.map((x) => x.target));
        const target = ['vdb', 'vdc', 'vdd', 'vde'].find((t) => !used.has(t)) ?? 'vdf';
        const source = change.disk.kind === 'new' ? `/var/lib/libvirt/images/${d.name}-${target}.qcow2` : `/var/lib/libvirt/images/${change.disk.volume}`;
        d.disks.push({ target, kind: 'disk', bus: change.bus, source, format: 'qcow2', readonly: false, boot_order: null });
        return live ? { applied: 'now', reason: null } : next(null);
      }
      case 'remove_disk':
        this.#disk(d, change.target);
        d.disks = d.disks.filter((x) => x.target !== change.target);
        return live ? { applied: 'now', reason: null } : next(null);
      case 'resize_disk':
        this.#disk(d, change.target);
        if (change.capacity <= 0) throw refuse('invalid_input', 'invalid disk size: 0 bytes: give a size above zero');
        return { applied: 'now', reason: null };
      case 'add_nic':
        d.nics.push({ mac: change.mac ?? `52:54:00:00:00:${String(d.nics.length + 1).padStart(2, '0')}`, network: change.network, model: 'virtio', device: null, boot_order: null });
        return live ? { applied: 'now', reason: null } : next(null);
      case 'remove_nic':
        this.#nic(d, change.mac);
        d.nics = d.nics.filter((n) => n.mac !== change.mac);
        return live ? { applied: 'now', reason: null } : next(null);
      case 'nic_network':
        this.#nic(d, change.mac).network = change.network;
        return live ? { applied: 'now', reason: null } : next(null);
      case 'nic_mac':
        this.#nic(d, change.mac).mac = change.new_mac;
        return next('a MAC address changes from the next boot');
      case 'boot':
        d.boot = [...change.order];
        return next('the boot order is read at boot');
    }
  }

  #disk(d: VmDetail, target: string) {
    const disk = d.disks.find((x) => x.target === target);
    if (!disk) throw refuse('not_found', `${d.name} has no disk '${target}'`);
    return disk;
  }

  #nic(d: VmDetail, mac: string) {
    const nic = d.nics.find((n) => n.mac === mac);
    if (!nic) throw refuse('not_found', `${d.name} has no NIC with MAC ${mac}`);
    return nic;
  }

  tags(hostId: string): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const vm of this.vms(hostId)) {
      const tags = this.details[vm.uuid]?.tags ?? [];
      if (tags.length > 0) out[vm.uuid] = [...tags];
    }
    return out;
  }

  drives(hostId: string, uuid: string): CdromDrive[] {
    return this.detail(hostId, uuid)
      .disks.filter((x) => x.kind === 'cdrom')
      .map((x) => ({ target: x.target, bus: x.bus, source: x.source }));
  }

  changeMedia(hostId: string, uuid: string, target: string, iso: string | null): CdromDrive[] {
    const d = this.detail(hostId, uuid);
    const drive = d.disks.find((x) => x.kind === 'cdrom' && x.target === target);
    if (!drive) throw refuse('not_found', `${d.name} has no CD-ROM drive '${target}'`, 'pick one of its CD-ROM drives');
    const known = Object.entries(this.storage.volumes).some(([key, vols]) => key.startsWith(`${hostId}/`) && vols.some((v) => v.path === iso));
    if (iso !== null && !known) throw refuse('not_found', `volume at ${iso} not found on this host`, 'upload it to the ISO library first');
    drive.source = iso;
    return this.drives(hostId, uuid);
  }

  listSnapshots(hostId: string, uuid: string): SnapshotSummary[] {
    this.#vm(hostId, uuid);
    return this.snapshots[uuid] ?? [];
  }

  createSnapshot(hostId: string, uuid: string, s: NewSnapshot): SnapshotSummary {
    const vm = this.#vm(hostId, uuid);
    if (vmNameProblem(s.name)) throw refuse('invalid_input', `invalid snapshot name: '${s.name}'`);
    const list = (this.snapshots[uuid] ??= []);
    if (list.some((x) => x.name === s.name)) throw refuse('already_exists', `${vm.name} already has a snapshot named ${s.name}`);
    const parent = list.find((x) => x.current) ?? null;
    for (const x of list) x.current = false;
    if (parent) parent.children.push(s.name);
    const made: SnapshotSummary = {
      name: s.name, parent: parent?.name ?? null, children: [], description: s.description, created: this.#clock++,
      state: vm.state === 'running' ? 'running' : vm.state === 'paused' ? 'paused' : 'shut_off', current: true, external: false,
    };
    list.push(made);
    return made;
  }

  #snapshot(hostId: string, uuid: string, name: string): SnapshotSummary {
    const found = this.listSnapshots(hostId, uuid).find((x) => x.name === name);
    if (!found) throw refuse('not_found', `${this.#vm(hostId, uuid).name} has no snapshot named ${name}`);
    return found;
  }

  revertSnapshot(hostId: string, uuid: string, name: string): TaskSummary {
    const vm = this.#vm(hostId, uuid);
    const snap = this.#snapshot(hostId, uuid, name);
    return this.storage.startTask(hostId, 'revert_snapshot', `${vm.name}/${name}`, () => {
      for (const x of this.snapshots[uuid] ?? []) x.current = x === snap;
      vm.state = snap.state === 'shut_off' ? 'shut_off' : snap.state === 'paused' ? 'paused' : 'running';
      return null;
    }, 'reverting');
  }

  /** As libvirt does: without its children, those move up to its parent. */
  deleteSnapshot(hostId: string, uuid: string, name: string, withChildren: boolean): void {
    const snap = this.#snapshot(hostId, uuid, name);
    const list = this.snapshots[uuid];
    const gone = new Set<string>([name]);
    const walk = (n: string) => {
      for (const c of list.find((x) => x.name === n)?.children ?? []) {
        gone.add(c);
        walk(c);
      }
    };
    if (withChildren) walk(name);
    const parent = list.find((x) => x.name === snap.parent);
    if (!withChildren) for (const c of list.filter((x) => snap.children.includes(x.name))) c.parent = snap.parent;
    if (parent) parent.children = [...parent.children.filter((c) => c !== name), ...(withChildren ? [] : snap.children)];
    if (snap.current && parent) parent.current = true;
    this.snapshots[uuid] = list.filter((x) => !gone.has(x.name));
    for (const x of this.snapshots[uuid]) x.children = x.children.filter((c) => !gone.has(c));
  }

  cloneVm(hostId: string, uuid: string, clone: NewClone): TaskSummary {
    const vm = this.#vm(hostId, uuid);
    if (vmNameProblem(clone.name)) throw refuse('invalid_input', `invalid VM name: '${clone.name}'`);
    if (this.vms(hostId).some((v) => v.name === clone.name)) throw refuse('already_exists', `VM ${clone.name} already exists on this host`);
    if (vm.state !== 'shut_off') throw refuse('invalid_state', `${vm.name} is running: shut it down before cloning it`, 'shut it down first');
    return this.storage.startTask(hostId, 'clone_vm', clone.name, () => {
      const made: VmSummary = { ...structuredClone(vm), uuid: `uuid-${clone.name}`, name: clone.name };
      this.addVm(hostId, made);
      return made.uuid;
    }, 'copying_disk');
  }
}
