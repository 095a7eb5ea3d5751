// Pure operations on the host list shown in the sidebar.
import type { HostEvent } from '../bindings/HostEvent';
import type { HostSummary } from '../bindings/HostSummary';

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
