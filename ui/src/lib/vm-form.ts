// The Create VM wizard's form: its fields as typed (text), the checks that need only the
// form and the host's limits (said in the UI language, before anything is sent), and the
// `NewVm` the core gets. The core checks everything again and its refusal is shown as is.
import type { DiskBus } from '../bindings/DiskBus';
import type { Firmware } from '../bindings/Firmware';
import type { HostLimits } from '../bindings/HostLimits';
import type { NewDisk } from '../bindings/NewDisk';
import type { NewVm } from '../bindings/NewVm';
import type { PoolSummary } from '../bindings/PoolSummary';
import type { VolumeSummary } from '../bindings/VolumeSummary';
import { formatBytes } from './format';
import type { MessageKey, Params } from './i18n';
import { vmNameProblem, trimWhiteSpace, type NameProblem } from './names';

/** Where the first disk comes from. */
export type SourceKind = 'iso' | 'linked_clone' | 'full_copy' | 'import' | 'blank';
export type SizeUnit = 'MiB' | 'GiB';

export const SOURCES: readonly SourceKind[] = ['iso', 'linked_clone', 'full_copy', 'import', 'blank'];
export const DISK_BUSES: readonly DiskBus[] = ['virtio', 'sata', 'scsi'];

/** Least memory the core takes (`MIN_MEMORY_MIB`). */
export const MIN_MEMORY_MIB = 16;

export interface NicForm {
  network: string;
  /** Empty: libvirt picks one. */
  mac: string;
}

export interface VmForm {
  source: SourceKind;
  /** The ISO volume's path (source `iso`). */
  iso: string;
  /** The template volume's path (linked clone, full copy). */
  template: string;
  /** The existing image's path (import). */
  importPath: string;
  name: string;
  vcpus: string;
  memory: string;
  memoryUnit: SizeUnit;
  /** The new disk's size (iso, blank; a linked clone's when given, else the template's). */
  diskSize: string;
  diskUnit: SizeUnit;
  diskBus: DiskBus;
  pool: string;
  nics: NicForm[];
  firmware: Firmware;
  cloudInit: boolean;
  ciHostname: string;
  ciUser: string;
  ciPassword: string;
  ciSshKey: string;
  ciUserData: string;
  start: boolean;
}

/** What the host offers the form. */
export interface HostChoices {
  limits: HostLimits | null;
  networks: readonly string[];
  pools: readonly PoolSummary[];
  /** The ISO library. */
  isos: readonly VolumeSummary[];
  /** Every volume of the running pools: templates and images to import. */
  volumes: readonly VolumeSummary[];
}

/** The pools a new disk can go in: running ones. */
export function usablePools(pools: readonly PoolSummary[]): PoolSummary[] {
  return pools.filter((p) => p.state === 'running');
}

/** Defaults that work: 1 vCPU, 1 GiB (less on a small host), 10 GiB virtio disk in `default` or the first pool, a NIC on `default`. */
export function defaultForm(choices: HostChoices): VmForm {
  const pools = usablePools(choices.pools);
  const pool = pools.find((p) => p.name === 'default')?.name ?? pools.find((p) => p.name !== 'vireo-isos')?.name ?? pools[0]?.name ?? '';
  const network = choices.networks.includes('default') ? 'default' : (choices.networks[0] ?? '');
  const hostMib = choices.limits ? Math.floor(choices.limits.memory_kib / 1024) : Infinity;
  return {
    source: 'iso',
    iso: choices.isos[0]?.path ?? '',
    template: '',
    importPath: '',
    name: '',
    vcpus: '1',
    memory: String(Math.min(1024, Math.max(MIN_MEMORY_MIB, Math.floor(hostMib / 2)))),
    memoryUnit: 'MiB',
    diskSize: '10',
    diskUnit: 'GiB',
    diskBus: 'virtio',
    pool,
    nics: network ? [{ network, mac: '' }] : [],
    firmware: 'bios',
    cloudInit: false,
    ciHostname: '',
    ciUser: '',
    ciPassword: '',
    ciSshKey: '',
    ciUserData: '',
    start: true,
  };
}

/** A problem with one field: a message key and its parameters (or a name problem). */
export type FieldProblem = { key: MessageKey; params?: Params } | { name: NameProblem };
export type FormField = 'name' | 'vcpus' | 'memory' | 'diskSize' | 'pool' | 'iso' | 'template' | 'importPath' | 'firmware' | 'ciHostname' | `mac${number}` | `network${number}`;
export type FormProblems = Partial<Record<FormField, FieldProblem>>;

/** The wizard's steps, and which fields each holds (Next checks only the step's own). */
export const STEPS = ['source', 'hardware', 'network', 'setup'] as const;
export type Step = (typeof STEPS)[number];

export function stepOf(field: FormField): Step {
  if (field === 'iso' || field === 'template' || field === 'importPath') return 'source';
  if (field.startsWith('mac') || field.startsWith('network') || field === 'firmware') return 'network';
  if (field === 'ciHostname') return 'setup';
  return 'hardware';
}

const UNIT: Record<SizeUnit, number> = { MiB: 1 << 20, GiB: 1 << 30 };

/** A positive number of `unit` as bytes (decimals allowed: 1.5 GiB); null when it is not one. */
export function parseSize(text: string, unit: SizeUnit): number | null {
  const t = text.trim();
  if (!/^\d+(\.\d+)?$/.test(t)) return null;
  const bytes = Math.round(Number(t) * UNIT[unit]);
  return bytes > 0 ? bytes : null;
}

/** A whole number ≥ 1; null when it is not one. */
function parseCount(text: string): number | null {
  const t = text.trim();
  return /^\d+$/.test(t) && Number(t) >= 1 ? Number(t) : null;
}

/** The MAC shapes the core takes: six hex pairs; not multicast (the first byte's low bit). */
export function macProblem(mac: string): FieldProblem | null {
  const m = mac.trim();
  if (m === '') return null;
  if (!/^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/.test(m)) return { key: 'wizard.problem.mac', params: { mac: m } };
  if (parseInt(m.slice(0, 2), 16) & 1) return { key: 'wizard.problem.macMulticast', params: { mac: m } };
  return null;
}

function usesPool(source: SourceKind): boolean {
  return source !== 'import';
}

/** Why the form cannot be sent yet, field by field; empty when it can. */
export function formProblems(form: VmForm, choices: HostChoices): FormProblems {
  const p: FormProblems = {};
  const limits = choices.limits;
  const name = vmNameProblem(trimWhiteSpace(form.name));
  if (name) p.name = { name };
  const vcpus = parseCount(form.vcpus);
  if (vcpus === null) p.vcpus = { key: 'wizard.problem.vcpus' };
  else if (limits && vcpus > limits.cpus) p.vcpus = { key: 'wizard.problem.vcpusBeyond', params: { cpus: limits.cpus } };
  const memory = parseSize(form.memory, form.memoryUnit);
  if (memory === null || memory < MIN_MEMORY_MIB * UNIT.MiB) p.memory = { key: 'wizard.problem.memory', params: { min: MIN_MEMORY_MIB } };
  else if (limits && memory > limits.memory_kib * 1024) p.memory = { key: 'wizard.problem.memoryBeyond', params: { host: formatBytes(limits.memory_kib * 1024) } };
  if (form.source === 'iso' && form.iso === '') p.iso = { key: 'wizard.problem.iso' };
  if ((form.source === 'linked_clone' || form.source === 'full_copy') && form.template === '') p.template = { key: 'wizard.problem.template' };
  if (form.source === 'import' && form.importPath === '') p.importPath = { key: 'wizard.problem.importPath' };
  if (usesPool(form.source) && form.pool === '') p.pool = { key: 'wizard.problem.pool' };
  const needsSize = form.source === 'iso' || form.source === 'blank';
  const size = parseSize(form.diskSize, form.diskUnit);
  if (needsSize && size === null) p.diskSize = { key: 'wizard.problem.diskSize' };
  if (form.source === 'linked_clone' && form.diskSize.trim() !== '') {
    const template = choices.volumes.find((v) => v.path === form.template);
    if (size === null) p.diskSize = { key: 'wizard.problem.diskSize' };
    else if (template && size < template.capacity) p.diskSize = { key: 'wizard.problem.diskBelowTemplate', params: { size: formatBytes(template.capacity) } };
  }
  if (needsSize && size !== null && form.pool !== '') {
    const pool = choices.pools.find((x) => x.name === form.pool);
    // qcow2 grows as it is written: only the space for its metadata is needed now.
    if (pool && pool.available < UNIT.MiB) p.diskSize = { key: 'wizard.problem.poolFull', params: { pool: pool.name } };
  }
  form.nics.forEach((nic, i) => {
    if (nic.network === '') p[`network${i}`] = { key: 'wizard.problem.network' };
    const mac = macProblem(nic.mac);
    if (mac) p[`mac${i}`] = mac;
  });
  if (form.firmware === 'uefi' && limits && !limits.uefi) p.firmware = { key: 'wizard.problem.uefi' };
  if (form.cloudInit) {
    const host = form.ciHostname.trim();
    if (!/^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/.test(host)) {
      p.ciHostname = { key: 'wizard.problem.hostname' };
    } else if (!usesPool(form.source)) {
      p.ciHostname = { key: 'wizard.problem.seedPool' };
    }
  }
  return p;
}

/** The problems of one step. */
export function stepProblems(problems: FormProblems, step: Step): FormField[] {
  return (Object.keys(problems) as FormField[]).filter((f) => stepOf(f) === step);
}

function orNull(text: string): string | null {
  const t = text.trim();
  return t === '' ? null : t;
}

/** The core's form; call only when `formProblems` is empty. */
export function toNewVm(form: VmForm): NewVm {
  const size = parseSize(form.diskSize, form.diskUnit);
  let disk: NewDisk;
  switch (form.source) {
    case 'iso':
    case 'blank':
      disk = { kind: 'blank', pool: form.pool, size: size ?? 0, format: 'qcow2' };
      break;
    case 'linked_clone':
      disk = { kind: 'linked_clone', pool: form.pool, template: form.template, size: form.diskSize.trim() === '' ? null : size };
      break;
    case 'full_copy':
      disk = { kind: 'full_copy', pool: form.pool, template: form.template };
      break;
    case 'import':
      disk = { kind: 'import', path: form.importPath.trim() };
      break;
  }
  return {
    name: trimWhiteSpace(form.name),
    vcpus: Number(form.vcpus.trim()),
    memory_mib: Math.floor((parseSize(form.memory, form.memoryUnit) ?? 0) / UNIT.MiB),
    disk,
    disk_bus: form.diskBus,
    cdrom: form.source === 'iso' ? form.iso : null,
    nics: form.nics.map((n) => ({ network: n.network, mac: orNull(n.mac) })),
    firmware: form.firmware,
    cloud_init: form.cloudInit
      ? {
          hostname: form.ciHostname.trim(),
          user: orNull(form.ciUser),
          password: form.ciPassword === '' ? null : form.ciPassword,
          ssh_key: orNull(form.ciSshKey),
          user_data: orNull(form.ciUserData),
        }
      : null,
    description: null,
    start: form.start,
  };
}
