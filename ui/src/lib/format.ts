// Human-readable figures for the VM table. Units are binary (KiB, MiB, ...) because
// libvirt reports memory in KiB and guests think in powers of two.
import type { VmFigures, VmSpec } from './vms';

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** Shown where a figure is unknown. */
export const NO_VALUE = '—';

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return NO_VALUE;
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  if (unit === 0) return `${Math.round(value)} B`;
  // One decimal while it still carries information (1.5 GiB), none for big numbers (512 MiB);
  // Number() drops a trailing ".0" so whole sizes read "2 GiB".
  const shown = value < 100 ? Number(value.toFixed(1)) : Math.round(value);
  return `${shown} ${UNITS[unit]}`;
}

export function formatKiB(kib: number): string {
  return formatBytes(kib * 1024);
}

/** CPU use as text; null means the backend has only one sample so far. */
export function formatPercent(percent: number | null): string {
  if (percent === null || !Number.isFinite(percent)) return NO_VALUE;
  const p = Math.max(0, percent);
  return `${p < 10 ? p.toFixed(1) : Math.round(p)}%`;
}

/** 0..1 for drawing a bar; out-of-range samples (e.g. rounding above 100) are clamped. */
export function barFraction(percent: number | null): number {
  if (percent === null || !Number.isFinite(percent)) return 0;
  return Math.min(1, Math.max(0, percent / 100));
}

export interface MemoryFigures {
  /** Null while the VM's figures are unknown. */
  usedKib: number | null;
  maxKib: number;
}

type MemoryInput = Pick<VmFigures, 'memory_kib' | 'memory_rss_kib'> | null;

/** What the VM really occupies: the QEMU process's resident memory when known, else the balloon size. */
export function memoryFigures(figures: MemoryInput, spec: Pick<VmSpec, 'max_memory_kib'>): MemoryFigures {
  return { usedKib: figures === null ? null : (figures.memory_rss_kib ?? figures.memory_kib), maxKib: spec.max_memory_kib };
}

export function formatMemory(figures: MemoryInput, spec: Pick<VmSpec, 'max_memory_kib'>): string {
  const { usedKib, maxKib } = memoryFigures(figures, spec);
  return `${usedKib === null ? NO_VALUE : formatKiB(usedKib)} / ${formatKiB(maxKib)}`;
}
