// The Storage page's small forms: a new volume, a new size, a new directory pool. Checked
// here in the UI language before sending; the core checks again and its refusal is shown.
import type { NewPool } from '../bindings/NewPool';
import type { NewVolume } from '../bindings/NewVolume';
import type { VolumeFormat } from '../bindings/VolumeFormat';
import type { MessageKey } from './i18n';
import { vmNameProblem } from './names';
import { parseSize, type SizeUnit } from './vm-form';

export interface VolumeForm {
  name: string;
  size: string;
  unit: SizeUnit;
  format: VolumeFormat;
}

export function emptyVolumeForm(): VolumeForm {
  return { name: '', size: '10', unit: 'GiB', format: 'qcow2' };
}

/** The shared name rule keeps a volume's name a plain file name (`../x` never becomes a path). */
export function volumeProblems(form: VolumeForm): { name?: MessageKey; size?: MessageKey } {
  const p: { name?: MessageKey; size?: MessageKey } = {};
  if (vmNameProblem(form.name.trim()) !== null) p.name = 'storage.problem.volumeName';
  if (parseSize(form.size, form.unit) === null) p.size = 'storage.problem.size';
  return p;
}

export function toNewVolume(form: VolumeForm): NewVolume {
  return { name: form.name.trim(), capacity: parseSize(form.size, form.unit) ?? 0, format: form.format, backing: null };
}

/** Why a new size is refused: not a size, or below the volume's (libvirt only grows them). */
export function resizeProblem(size: string, unit: SizeUnit, current: number): MessageKey | null {
  const bytes = parseSize(size, unit);
  if (bytes === null) return 'storage.problem.size';
  if (bytes < current) return 'storage.problem.shrink';
  return null;
}

/** The kinds of pool the page makes: a directory, an LVM volume group, an NFS export. */
export type PoolFormKind = 'dir' | 'logical' | 'netfs';

export interface PoolForm {
  name: string;
  kind: PoolFormKind;
  /** The directory (dir) or the mount point (netfs). */
  path: string;
  volumeGroup: string;
  server: string;
  exportPath: string;
  autostart: boolean;
}

export function emptyPoolForm(): PoolForm {
  return { name: '', kind: 'dir', path: '', volumeGroup: '', server: '', exportPath: '', autostart: true };
}

type PoolProblems = { name?: MessageKey; path?: MessageKey; volumeGroup?: MessageKey; server?: MessageKey; exportPath?: MessageKey };

function badPath(text: string): boolean {
  const path = text.trim();
  return !path.startsWith('/') || path.split('/').includes('..');
}

/** What the core's pool checks would refuse (vireo-host `xml::pool`), field by field. */
export function poolProblems(form: PoolForm): PoolProblems {
  const p: PoolProblems = {};
  if (vmNameProblem(form.name.trim()) !== null) p.name = 'storage.problem.poolName';
  if (form.kind !== 'logical' && badPath(form.path)) p.path = 'storage.problem.poolPath';
  if (form.kind === 'logical' && vmNameProblem(form.volumeGroup.trim()) !== null) p.volumeGroup = 'storage.problem.volumeGroup';
  if (form.kind === 'netfs') {
    // A host name or an address: no spaces, slashes or colons beyond an IPv6 address's.
    if (!/^[A-Za-z0-9._:-]+$/.test(form.server.trim())) p.server = 'storage.problem.server';
    if (badPath(form.exportPath)) p.exportPath = 'storage.problem.exportPath';
  }
  return p;
}

export function toNewPool(form: PoolForm): NewPool {
  const name = form.name.trim();
  switch (form.kind) {
    case 'dir':
      return { name, target: { kind: 'dir', path: form.path.trim() }, autostart: form.autostart };
    case 'logical':
      return { name, target: { kind: 'logical', volume_group: form.volumeGroup.trim() }, autostart: form.autostart };
    case 'netfs':
      return { name, target: { kind: 'netfs', server: form.server.trim(), export: form.exportPath.trim(), path: form.path.trim() }, autostart: form.autostart };
  }
}
