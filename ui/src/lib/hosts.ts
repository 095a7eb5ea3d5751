// Pure operations on the host list shown in the sidebar.
import type { HostEvent } from '../bindings/HostEvent';
import type { HostSummary } from '../bindings/HostSummary';
import { compareNames, compareNamesStrict } from './collate';
import type { Locale } from './i18n';

export type HostStatusEvent = Extract<HostEvent, { kind: 'host_status' }>;

export interface HostStatusResult {
  hosts: HostSummary[];
  /** False when the event names a host we have not listed (added meanwhile): re-list hosts. */
  known: boolean;
}

export function applyHostStatus(hosts: readonly HostSummary[], ev: HostStatusEvent): HostStatusResult {
  let known = false;
  const next = hosts.map((host) => {
    if (host.id !== ev.host_id) return host;
    known = true;
    return { ...host, status: ev.status, error: ev.error };
  });
  return { hosts: next, known };
}

/**
 * Sidebar order: by name as people read them, ties (names differing only in case) by id as
 * a number ("2" before "10"; ids are the store's row numbers, sent as text).
 */
export function sortHosts(hosts: readonly HostSummary[], locale: Locale): HostSummary[] {
  return [...hosts].sort((a, b) => compareNames(a.name, b.name, locale) || compareNamesStrict(a.id, b.id, locale));
}

/**
 * Whether what we last heard from the host may be out of date: only a connected host sends
 * the events that keep its VM list current (any other status means its VMs' states are unknown).
 */
export function isLive(host: Pick<HostSummary, 'status'>): boolean {
  return host.status === 'connected';
}

/** Whether the host's own message is a warning beside a working connection, not the reason it is down. */
export function hostNotice(host: Pick<HostSummary, 'status' | 'error'>): 'error' | 'warning' | null {
  if (!isLive(host)) return host.status === 'disconnected' || host.error ? 'error' : null;
  return host.error ? 'warning' : null;
}
