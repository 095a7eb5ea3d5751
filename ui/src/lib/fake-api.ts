// An in-memory stand-in for the backend, for unit and component tests.
import type { Accel } from '../bindings/Accel';
import type { HostEvent } from '../bindings/HostEvent';
import type { HostSummary } from '../bindings/HostSummary';
import type { VmAction } from '../bindings/VmAction';
import type { VmSummary } from '../bindings/VmSummary';
import type { Api } from './api';

export class FakeApi implements Api {
  hosts: HostSummary[] = [];
  vms: Record<string, VmSummary[]> = {};
  calls: string[] = [];
  /** When set, vm_action waits for this before answering. */
  actionGate: Promise<void> | null = null;
  actionError: unknown = null;
  listError: unknown = null;
  #handler: ((ev: HostEvent) => void) | null = null;

  async listHosts(): Promise<HostSummary[]> {
    this.calls.push('list_hosts');
    return structuredClone(this.hosts);
  }

  async listVms(hostId: string): Promise<VmSummary[]> {
    this.calls.push(`list_vms ${hostId}`);
    if (this.listError) throw this.listError;
    return structuredClone(this.vms[hostId] ?? []);
  }

  async vmAction(hostId: string, name: string, action: VmAction): Promise<void> {
    this.calls.push(`vm_action ${hostId} ${name} ${action}`);
    if (this.actionGate) await this.actionGate;
    if (this.actionError) throw this.actionError;
  }

  async setHostAccel(hostId: string, accel: Accel): Promise<void> {
    this.calls.push(`set_host_accel ${hostId} ${accel}`);
    const host = this.hosts.find((h) => h.id === hostId);
    if (host) host.accel = accel;
  }

  async onHostEvent(handler: (ev: HostEvent) => void): Promise<() => void> {
    this.#handler = handler;
    return () => {
      this.#handler = null;
    };
  }

  emit(ev: HostEvent): void {
    this.#handler?.(ev);
  }

  count(prefix: string): number {
    return this.calls.filter((c) => c.startsWith(prefix)).length;
  }
}
