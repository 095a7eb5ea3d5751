// Pure operations on the VMs of the selected host: their figures, and the index the table
// filters and orders. The session keeps one reactive entry per VM (vm-entry.svelte.ts); these
// functions work on anything with a name and a state, so they are tested on plain objects.
import type { HostEvent } from '../bindings/HostEvent';
import type { VmState } from '../bindings/VmState';
import type { VmFigures } from '../bindings/VmFigures';
import type { VmSummary } from '../bindings/VmSummary';
import { isActive } from './actions';
import { compareNamesStrict } from './collate';
import type { Locale } from './i18n';

export type LifecycleEvent = Extract<HostEvent, { kind: 'vm_lifecycle' }>;
export type StatsEvent = Extract<HostEvent, { kind: 'vm_stats' }>;

/**
 * "running" means libvirt has a process for the VM (so paused VMs count), "stopped" the
 * rest; the two filters thus split the list without leaving anything out.
 */
export type VmFilter = 'all' | 'running' | 'stopped';

export const FILTERS: readonly VmFilter[] = ['all', 'running', 'stopped'];

/** What a VM is, as opposed to what it does: changes only with a re-list. */
export interface VmSpec {
  vcpus: number;
  /** Most memory the VM may get, KiB. */
  max_memory_kib: number;
}

/**
 * A VM's live figures (generated from the core, flattened into both `VmSummary` and
 * `VmStats`): the listed or pushed object itself is kept as received rather than copied.
 */
export type { VmFigures };

export function specOf(vm: VmSummary): VmSpec {
  return { vcpus: vm.vcpus, max_memory_kib: vm.max_memory_kib };
}

export function sameSpec(a: VmSpec, b: VmSpec): boolean {
  return a.vcpus === b.vcpus && a.max_memory_kib === b.max_memory_kib;
}

export function sameFigures(a: VmFigures | null, b: VmFigures | null): boolean {
  if (a === null || b === null) return a === b;
  return (
    a.cpu_percent === b.cpu_percent &&
    a.memory_kib === b.memory_kib &&
    a.memory_rss_kib === b.memory_rss_kib &&
    a.disk_read_bytes === b.disk_read_bytes &&
    a.disk_write_bytes === b.disk_write_bytes &&
    a.net_rx_bytes === b.net_rx_bytes &&
    a.net_tx_bytes === b.net_tx_bytes
  );
}

/** A stopped VM has no process: its live figures (CPU, resident memory) no longer apply. */
export function withoutLiveFigures(figures: VmFigures | null): VmFigures | null {
  if (figures === null || (figures.cpu_percent === null && figures.memory_rss_kib === null)) return figures;
  return { ...figures, cpu_percent: null, memory_rss_kib: null };
}

export function matchesFilter(vm: { state: VmState }, filter: VmFilter): boolean {
  if (filter === 'all') return true;
  return isActive(vm.state) === (filter === 'running');
}

export function countByFilter(vms: readonly { state: VmState }[]): Record<VmFilter, number> {
  let running = 0;
  for (const vm of vms) if (isActive(vm.state)) running++;
  return { all: vms.length, running, stopped: vms.length - running };
}

/** One VM in the table's index: the VM, and its name and tags lowercased once for the search. */
export interface IndexedVm<T> {
  vm: T;
  /** The name, then each tag, lowercased and joined by "\n" (which no query holds, so no match spans two). */
  key: string;
  tags: readonly string[];
}

const NO_TAGS: readonly string[] = [];

/**
 * The table's order, built once per re-list (or change of language), not per keystroke:
 * by name as people read them ("vm2" before "vm10", case ignored), then by UUID, so rows keep
 * their place between re-lists.
 */
export function indexVms<T extends { uuid: string; name: string }>(vms: readonly T[], locale: Locale): IndexedVm<T>[] {
  const index = vms.map((vm) => ({ vm, key: vm.name.toLowerCase(), name: vm.name, uuid: vm.uuid }));
  index.sort((a, b) => compareNamesStrict(a.name, b.name, locale) || compareNamesStrict(a.uuid, b.uuid, locale));
  return index.map(({ vm, key }) => ({ vm, key, tags: NO_TAGS }));
}

/**
 * The index with each VM's tags (by UUID) in its search key; same order. Apart from the
 * sort, so tags arriving after the list (their own call) do not re-sort 2000 names.
 */
export function withTags<T extends { uuid: string }>(
  index: readonly IndexedVm<T>[],
  tags: Readonly<Record<string, readonly string[]>>,
): IndexedVm<T>[] {
  return index.map((item) => {
    const own = tags[item.vm.uuid];
    if (own === undefined || own.length === 0) return item;
    return { vm: item.vm, key: [item.key, ...own].join('\n').toLowerCase(), tags: own };
  });
}

/**
 * The VMs whose name or a tag contains the query (case ignored, surrounding spaces dropped),
 * that carry `tag` (when one is picked) and that pass the state filter, in index order. Reads
 * `state` only when a state filter is on: this runs per keystroke over every VM.
 */
export function filterIndex<T extends { state: VmState }>(
  index: readonly IndexedVm<T>[],
  query: string,
  filter: VmFilter,
  tag: string | null = null,
): T[] {
  const needle = query.trim().toLowerCase();
  const out: T[] = [];
  for (const { vm, key, tags } of index) {
    if ((needle === '' || key.includes(needle)) && (tag === null || tags.includes(tag)) && matchesFilter(vm, filter)) out.push(vm);
  }
  return out;
}

/**
 * Each tag found on the host with how many of the listed VMs carry it, in name order (as
 * people read them). Tags of VMs not in the list (gone since) are not counted.
 */
export function countTags(
  vms: readonly { uuid: string }[],
  tags: Readonly<Record<string, readonly string[]>>,
  locale: Locale,
): { tag: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const vm of vms) for (const tag of tags[vm.uuid] ?? NO_TAGS) counts.set(tag, (counts.get(tag) ?? 0) + 1);
  return [...counts]
    .map(([tag, count]) => ({ tag, count }))
    .sort((a, b) => compareNamesStrict(a.tag, b.tag, locale));
}

/** Whether two lists hold the same strings in the same order. */
export function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
