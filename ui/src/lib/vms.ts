// Pure operations on the VM list of the selected host: applying lifecycle events,
// filtering and ordering. The session calls these; components only display the result.
import type { HostEvent } from '../bindings/HostEvent';
import type { VmSummary } from '../bindings/VmSummary';
import { isActive } from './actions';
import { compareNamesStrict } from './collate';
import type { Locale } from './i18n';

export type LifecycleEvent = Extract<HostEvent, { kind: 'vm_lifecycle' }>;

/**
 * "running" means libvirt has a process for the VM (so paused VMs count), "stopped" the
 * rest; the two filters thus split the list without leaving anything out.
 */
export type VmFilter = 'all' | 'running' | 'stopped';

export const FILTERS: readonly VmFilter[] = ['all', 'running', 'stopped'];

export function matchesFilter(vm: VmSummary, filter: VmFilter): boolean {
  if (filter === 'all') return true;
  return isActive(vm.state) === (filter === 'running');
}

export function filterVms(vms: readonly VmSummary[], query: string, filter: VmFilter): VmSummary[] {
  const needle = query.trim().toLowerCase();
  return vms.filter((vm) => matchesFilter(vm, filter) && vm.name.toLowerCase().includes(needle));
}

export function countByFilter(vms: readonly VmSummary[]): Record<VmFilter, number> {
  const running = vms.filter((vm) => isActive(vm.state)).length;
  return { all: vms.length, running, stopped: vms.length - running };
}

/**
 * By name as people read them ("vm2" before "vm10", case ignored), then by UUID, so rows
 * keep their place between refreshes.
 */
export function sortVms(vms: readonly VmSummary[], locale: Locale): VmSummary[] {
  return [...vms].sort((a, b) => compareNamesStrict(a.name, b.name, locale) || compareNamesStrict(a.uuid, b.uuid, locale));
}

export interface LifecycleResult {
  vms: VmSummary[];
  /** The event concerns a VM not in the list (e.g. just defined): the list must be fetched again. */
  relist: boolean;
}

/** Applies a lifecycle event at once instead of waiting for the next refresh. */
export function applyLifecycle(vms: readonly VmSummary[], ev: LifecycleEvent): LifecycleResult {
  if (ev.event === 'undefined') {
    // Gone from the list now; the relist catches a transient VM that keeps running.
    return { vms: vms.filter((vm) => vm.uuid !== ev.uuid), relist: true };
  }
  const state = ev.state;
  if (state === null || !vms.some((vm) => vm.uuid === ev.uuid)) {
    // The event does not fix the state (e.g. `defined`), or the VM is new:
    // the next list call brings the complete row.
    // No figures for it yet; the next list call brings the complete row.
    return { vms: [...vms], relist: true };
  }
  return {
    vms: vms.map((vm) => {
      if (vm.uuid !== ev.uuid) return vm;
      const next = { ...vm, name: ev.name, state };
      // A stopped VM has no process: do not keep showing the last live figures until the refresh.
      if (!isActive(state)) {
        next.cpu_percent = null;
        next.memory_rss_kib = null;
      }
      return next;
    }),
    relist: false,
  };
}
