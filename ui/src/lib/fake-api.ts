// An in-memory stand-in for the backend, for unit and component tests. It refuses input
// with the core's own verdicts (core-cases.ts) and the shared name rule (names.ts); it has
// no validation of its own to drift from the core's.
import type { Accel } from '../bindings/Accel';
import type { ErrorPayload } from '../bindings/ErrorPayload';
import type { HistoryEntry } from '../bindings/HistoryEntry';
import type { HostEvent } from '../bindings/HostEvent';
import type { HostSummary } from '../bindings/HostSummary';
import { STATS_INTERVAL_MS } from '../bindings/rules';
import type { VmAction } from '../bindings/VmAction';
import type { VmStats } from '../bindings/VmStats';
import type { VmSummary } from '../bindings/VmSummary';
import { isActive } from './actions';
import type { Api } from './api';
import { coreVerdict, type CaseField } from './core-cases';
import { hostNameProblem, trimWhiteSpace, vmNameProblem } from './names';

/** The core's `invalid_input` rejection (`Error::invalid` in vireo-core). */
function invalid(field: string, reason: string): ErrorPayload {
  return { code: 'invalid_input', message: `invalid ${field}: ${reason}`, hint: 'Correct the value and try again.' };
}

const NAME_RULES: Partial<Record<CaseField, { label: string; check: typeof vmNameProblem }>> = {
  vm_name: { label: 'VM name', check: vmNameProblem },
  host_name: { label: 'host name', check: hostNameProblem },
};

/**
 * How the core would answer this input. A listed case gets Rust's exact rejection; any other
 * name is judged by the shared rule (the message then names only the kind of problem: the
 * core's wording is known for listed cases alone). The core's URI rules are not exported to
 * the UI, so an unlisted URI is accepted: tests that need a refusal use a listed one.
 */
export function coreRefusal(field: CaseField, input: string): ErrorPayload | null {
  const listed = coreVerdict(field, input);
  if (listed !== undefined) return listed;
  const rule = NAME_RULES[field];
  const problem = rule?.check(input) ?? null;
  return rule && problem ? invalid(rule.label, `${problem.kind} (the fake's wording; see validation-cases.json)`) : null;
}

export class FakeApi implements Api {
  hosts: HostSummary[] = [];
  vms: Record<string, VmSummary[]> = {};
  /** Newest first, as the backend answers; the calls below record into it like the core does. */
  history: HistoryEntry[] = [];
  calls: string[] = [];
  /** When set, vm_action waits for this before answering. */
  actionGate: Promise<void> | null = null;
  /** When set, add_host waits for this before answering. */
  addHostGate: Promise<void> | null = null;
  actionError: unknown = null;
  listError: unknown = null;
  historyError: unknown = null;
  /** Names passed to `mark`, in order (the core only logs them). */
  marks: string[] = [];
  #handler: ((ev: HostEvent) => void) | null = null;
  #nextHostId = 100;
  #tick = 0;

  async listHosts(): Promise<HostSummary[]> {
    this.calls.push('list_hosts');
    return structuredClone(this.hosts);
  }

  async listVms(hostId: string): Promise<VmSummary[]> {
    this.calls.push(`list_vms ${hostId}`);
    if (this.listError) throw this.listError;
    return structuredClone(this.vms[hostId] ?? []);
  }

  /** Acts by UUID like the core; `calls` names the VM so tests read well. */
  async vmAction(hostId: string, uuid: string, action: VmAction): Promise<void> {
    const name = (this.vms[hostId] ?? []).find((v) => v.uuid === uuid)?.name ?? `<unknown uuid ${uuid}>`;
    this.calls.push(`vm_action ${hostId} ${name} ${action}`);
    if (this.actionGate) await this.actionGate;
    this.#record(this.#hostName(hostId), action, name, this.actionError);
    if (this.actionError) throw this.actionError;
  }

  async setHostAccel(hostId: string, accel: Accel): Promise<void> {
    this.calls.push(`set_host_accel ${hostId} ${accel}`);
    const host = this.hosts.find((h) => h.id === hostId);
    if (host) host.accel = accel;
    this.#record(this.#hostName(hostId), 'set_accel', accel, null);
  }

  /**
   * Checks in the core's order (name, URI, then the store's unique names), then saves as
   * `connecting`.
   */
  async addHost(name: string, uri: string): Promise<HostSummary> {
    this.calls.push(`add_host ${name} ${uri}`);
    if (this.addHostGate) await this.addHostGate;
    const n = trimWhiteSpace(name);
    const u = trimWhiteSpace(uri);
    let error = coreRefusal('host_name', name) ?? coreRefusal('connection_uri', uri);
    if (error === null && this.hosts.some((h) => h.name === n)) {
      // The store's rule (vireo-store `DuplicateHost`), which no validation case covers.
      error = invalid('host name', `a host named '${n}' already exists; pick another name`);
    }
    this.#record(n, 'add_host', u, error);
    if (error) throw error;
    const kind = u.startsWith('test:') ? 'demo' : u.startsWith('qemu:///') ? 'local' : 'remote';
    const added: HostSummary = {
      id: String(this.#nextHostId++),
      name: n,
      uri: u,
      kind,
      accel: 'auto',
      status: 'connecting',
      error: null,
    };
    this.hosts.push(added);
    return structuredClone(added);
  }

  async removeHost(hostId: string): Promise<void> {
    this.calls.push(`remove_host ${hostId}`);
    const name = this.#hostName(hostId);
    const error: ErrorPayload | null = this.hosts.some((h) => h.id === hostId)
      ? null
      : { code: 'host_not_found', message: `no saved host with id '${hostId}'`, hint: null };
    this.#record(name, 'remove_host', name, error);
    if (error) throw error;
    this.hosts = this.hosts.filter((h) => h.id !== hostId);
  }

  async listHistory(limit: number): Promise<HistoryEntry[]> {
    this.calls.push(`list_history ${limit}`);
    if (this.historyError) throw this.historyError;
    return structuredClone(this.history.slice(0, limit));
  }

  async onHostEvent(handler: (ev: HostEvent) => void): Promise<() => void> {
    this.#handler = handler;
    return () => {
      this.#handler = null;
    };
  }

  async mark(name: string): Promise<void> {
    this.marks.push(name);
  }

  emit(ev: HostEvent): void {
    this.#handler?.(ev);
  }

  /**
   * Gives the host `count` VMs named `<prefix>-0` ... (UUIDs `uuid-<name>`), every third one
   * shut off and the rest running with made-up figures: a big host for demos and tests.
   */
  generateVms(hostId: string, count: number, prefix = 'bench'): VmSummary[] {
    const vms: VmSummary[] = [];
    for (let i = 0; i < count; i++) {
      const running = i % 3 !== 2;
      vms.push({
        uuid: `uuid-${prefix}-${i}`,
        name: `${prefix}-${i}`,
        state: running ? 'running' : 'shut_off',
        vcpus: 1 + (i % 4),
        memory_kib: 1024 * 1024,
        max_memory_kib: 2 * 1024 * 1024,
        cpu_percent: running ? (i * 7) % 100 : null,
        memory_rss_kib: running ? 512 * 1024 + (i % 256) * 1024 : null,
        disk_read_bytes: running ? i * 4096 : 0,
        disk_write_bytes: running ? i * 1024 : 0,
        net_rx_bytes: running ? i * 512 : 0,
        net_tx_bytes: running ? i * 256 : 0,
      });
    }
    this.vms[hostId] = vms;
    return vms;
  }

  /**
   * One `vm_stats` push for the host, as the core sends every ~2 s: the figures of its
   * running VMs, moved on a little (counters grow, CPU wanders). Returns the event sent.
   */
  pushStats(hostId: string): HostEvent {
    this.#tick++;
    const vms: VmStats[] = [];
    for (const vm of this.vms[hostId] ?? []) {
      if (!isActive(vm.state)) continue;
      vm.cpu_percent = (((vm.cpu_percent ?? 0) + 13 + (this.#tick % 7)) % 100) || 1;
      vm.memory_rss_kib = vm.memory_rss_kib ?? vm.memory_kib;
      vm.disk_read_bytes += 4096;
      vm.disk_write_bytes += 1024;
      vm.net_rx_bytes += 1500;
      vm.net_tx_bytes += 600;
      const { uuid, state, cpu_percent, memory_kib, memory_rss_kib, disk_read_bytes, disk_write_bytes, net_rx_bytes, net_tx_bytes } = vm;
      vms.push({ uuid, state, cpu_percent, memory_kib, memory_rss_kib, disk_read_bytes, disk_write_bytes, net_rx_bytes, net_tx_bytes });
    }
    const ev: HostEvent = { kind: 'vm_stats', host_id: hostId, vms };
    this.emit(ev);
    return ev;
  }

  /**
   * Pushes figures every `intervalMs` for each connected host with running VMs (and once
   * more, empty, after its last one stopped), like the core; for demos. Returns the stop.
   */
  startStats(intervalMs = STATS_INTERVAL_MS): () => void {
    const hadRunning = new Set<string>();
    const timer = setInterval(() => {
      for (const host of this.hosts) {
        const running = host.status === 'connected' && (this.vms[host.id] ?? []).some((vm) => isActive(vm.state));
        if (running || hadRunning.has(host.id)) this.pushStats(host.id);
        if (running) hadRunning.add(host.id);
        else hadRunning.delete(host.id);
      }
    }, intervalMs);
    return () => clearInterval(timer);
  }

  count(prefix: string): number {
    return this.calls.filter((c) => c.startsWith(prefix)).length;
  }

  #hostName(hostId: string): string {
    return this.hosts.find((h) => h.id === hostId)?.name ?? hostId;
  }

  #record(host: string, action: string, target: string, error: unknown): void {
    const detail = error === null ? null : ((error as Partial<ErrorPayload>).message ?? String(error));
    this.history.unshift({
      // Entries set by a test may already use low ids.
      id: Math.max(0, ...this.history.map((e) => e.id)) + 1,
      at_ms: Date.now(),
      actor: 'app',
      host,
      action,
      target,
      ok: error === null,
      detail,
    });
  }
}

/**
 * A fake backend for the dev server (`?fake=<count>`, see main.ts): one connected demo host
 * with `count` generated VMs, pushing their figures as often as the core does. For demos and measuring the
 * UI in a browser; never in a build.
 */
export function demoApi(count: number): FakeApi {
  const api = new FakeApi();
  api.hosts = [{ id: '1', name: 'Demo', uri: 'test:///default', kind: 'demo', accel: 'auto', status: 'connected', error: null }];
  api.generateVms('1', count);
  api.startStats();
  return api;
}
