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

export interface PoolForm {
  name: string;
  path: string;
  autostart: boolean;
}

export function poolProblems(form: PoolForm): { name?: MessageKey; path?: MessageKey } {
  const p: { name?: MessageKey; path?: MessageKey } = {};
  if (vmNameProblem(form.name.trim()) !== null) p.name = 'storage.problem.poolName';
  const path = form.path.trim();
  if (!path.startsWith('/') || path.split('/').includes('..')) p.path = 'storage.problem.poolPath';
  return p;
}

export function toNewPool(form: PoolForm): NewPool {
  return { name: form.name.trim(), target: { kind: 'dir', path: form.path.trim() }, autostart: form.autostart };
}
