// An in-memory stand-in for the backend, for unit and component tests. It refuses input
// with the core's own verdicts (core-cases.ts) and the shared name rule (names.ts); it has
// no validation of its own to drift from the core's, but for the SSH fields, which no
// validation case covers yet (see `sshRefusal`). Its SSH hosts sign in like the core's: an
// unknown host key is asked about first, then (password sign-in) the password.
import type { BatchAction } from '../bindings/BatchAction';
import type { BatchItem } from '../bindings/BatchItem';
import type { CdromDrive } from '../bindings/CdromDrive';
import type { ChangeOutcome } from '../bindings/ChangeOutcome';
import type { NewClone } from '../bindings/NewClone';
import type { NewSnapshot } from '../bindings/NewSnapshot';
import type { SnapshotSummary } from '../bindings/SnapshotSummary';
import type { VmAddresses } from '../bindings/VmAddresses';
import type { VmChange } from '../bindings/VmChange';
import type { VmDetail } from '../bindings/VmDetail';
import { FakeVmConfig } from './fake-vm-config';
import type { ConsoleInfo } from '../bindings/ConsoleInfo';
import type { ConsoleInput } from '../bindings/ConsoleInput';
import { encodeRecords } from './console/wire';
import type { Accel } from '../bindings/Accel';
import type { ErrorPayload } from '../bindings/ErrorPayload';
import type { HistoryEntry } from '../bindings/HistoryEntry';
import type { HostEvent } from '../bindings/HostEvent';
import type { HostPrompt } from '../bindings/HostPrompt';
import type { HostStatus } from '../bindings/HostStatus';
import type { HostSummary } from '../bindings/HostSummary';
import type { HostTarget } from '../bindings/HostTarget';
import type { PromptAnswer } from '../bindings/PromptAnswer';
import { STATS_INTERVAL_MS } from '../bindings/rules';
import type { VmAction } from '../bindings/VmAction';
import type { VmStats } from '../bindings/VmStats';
import type { SshSpec } from '../bindings/SshSpec';
import type { VmSummary } from '../bindings/VmSummary';
import { isActive } from './actions';
import type { Api } from './api';
import { coreVerdict, type CaseField } from './core-cases';
import { sshAddress } from './hosts';
import { hostNameProblem, trimWhiteSpace, vmNameProblem } from './names';
import { FakeStorage } from './fake-storage';
import { FakeNetworks } from '../networks/fake-networks';
import { FakeIpPools } from '../ippools/fake-ip-pools';
import type { Hold } from '../bindings/Hold';
import type { IpPoolDetail } from '../bindings/IpPoolDetail';
import type { IpPoolSummary } from '../bindings/IpPoolSummary';
import type { NewIpPool } from '../bindings/NewIpPool';
import type { PoolAddress } from '../bindings/PoolAddress';
import type { ChangeOutcome as NetChangeOutcome } from '../bindings/ChangeOutcome';
import type { DhcpHost } from '../bindings/DhcpHost';
import type { NetworkAction } from '../bindings/NetworkAction';
import type { NetworkIp } from '../bindings/NetworkIp';
import type { NetworkLease } from '../bindings/NetworkLease';
import type { NetworkSummary } from '../bindings/NetworkSummary';
import type { NewNetwork } from '../bindings/NewNetwork';
import type { HostLimits } from '../bindings/HostLimits';
import type { NewPool } from '../bindings/NewPool';
import type { NewVm } from '../bindings/NewVm';
import type { NewVolume } from '../bindings/NewVolume';
import type { PoolAction } from '../bindings/PoolAction';
import type { PoolSummary } from '../bindings/PoolSummary';
import type { TaskSummary } from '../bindings/TaskSummary';
import type { VolumeSummary } from '../bindings/VolumeSummary';

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

/** The core's checks of an SSH spec (vireo-core ssh.rs), in its order and wording. */
export function sshRefusal(spec: SshSpec): ErrorPayload | null {
  const user = trimWhiteSpace(spec.user);
  if (user === '') return invalid('SSH user', 'give the user to sign in as');
  if (user.length > 32) return invalid('SSH user', 'at most 32 characters');
  if (user.startsWith('-')) return invalid('SSH user', `'${user}' starts with '-'`);
  const badChar = [...user].find((c) => !/[A-Za-z0-9._-]/.test(c));
  if (badChar) return invalid('SSH user', `'${user}' holds '${badChar}'; use letters, digits, '.', '_' and '-'`);
  const host = trimWhiteSpace(spec.host);
  if (host === '') return invalid('SSH host', "give the server's name or address");
  if (!isIpv6(bareHost(host)) && !isDnsName(host)) {
    return invalid('SSH host', `'${host}' is not a host name or IP address (letters, digits, '-' and '.', like server.example.org or 192.0.2.10)`);
  }
  if (!Number.isInteger(spec.port) || spec.port < 1 || spec.port > 65535) {
    return invalid('SSH port', `${spec.port} is not a port; use 1-65535 (sshd listens on 22 by default)`);
  }
  if (spec.auth === 'key') {
    const path = spec.key_path?.trim() ?? '';
    if (path === '') return invalid('SSH key', 'choose the private key file to sign in with');
    if (!path.startsWith('/') && !path.startsWith('~/')) return invalid('SSH key', `'${path}' is not a full path (like ~/.ssh/id_ed25519)`);
  }
  return null;
}

/** An IPv6 address may come in brackets; the core keeps it without. */
function bareHost(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

function isIpv6(host: string): boolean {
  if (!host.includes(':')) return false;
  try {
    new URL(`http://[${host}]/`);
    return true;
  } catch {
    return false;
  }
}

/** Labels of letters, digits and '-' (not at either end), dot-separated; IPv4 passes as such too. */
function isDnsName(host: string): boolean {
  if (host.length > 253 || host.startsWith('.')) return false;
  return host
    .replace(/\.$/, '')
    .split('.')
    .every((label) => /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(label));
}

/** The spec as the core saves it: trimmed, the IPv6 brackets dropped, a key path only for key sign-in. */
function savedSpec(spec: SshSpec): SshSpec {
  const keyPath = spec.key_path?.trim() ?? '';
  return {
    ...spec,
    user: trimWhiteSpace(spec.user),
    host: bareHost(trimWhiteSpace(spec.host)),
    key_path: spec.auth === 'key' ? keyPath : null,
  };
}

/** What the core says (and history records) for a target. */
function targetText(target: HostTarget): string {
  return target.type === 'uri' ? trimWhiteSpace(target.uri) : `ssh://${sshAddress(target.spec)}`;
}

/** A made-up but stable SHA256 fingerprint for a server: the same host and port, the same key. */
export function fakeFingerprint(spec: Pick<SshSpec, 'host' | 'port'>): string {
  const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  let hash = 2166136261;
  for (const c of `${spec.host}:${spec.port}`) hash = Math.imul(hash ^ c.charCodeAt(0), 16777619);
  let out = 'SHA256:';
  for (let i = 0; i < 43; i++) {
    hash = Math.imul(hash ^ i, 16777619) >>> 0;
    out += ALPHABET[hash % 64];
  }
  return out;
}

export const FAKE_KEY_TYPE = 'ssh-ed25519';

/** The fields of a saved host that follow from its target (the core's `kind_of` for URIs). */
function reach(target: HostTarget): Pick<HostSummary, 'uri' | 'kind' | 'ssh'> {
  if (target.type === 'ssh') {
    const spec = savedSpec(target.spec);
    return { uri: `ssh://${sshAddress(spec)}`, kind: 'ssh', ssh: spec };
  }
  const uri = trimWhiteSpace(target.uri);
  const kind = uri.startsWith('test:') ? 'demo' : uri.startsWith('qemu:///') ? 'local' : 'remote';
  return { uri, kind, ssh: null };
}

/** What a host signing in with a secret asks for, and why (vireo-ssh's messages). */
function secretPrompt(spec: SshSpec, retry: boolean): { why: string; prompt: HostPrompt } {
  const target = sshAddress(spec);
  if (spec.auth === 'password') {
    const why = retry ? `${target} refused the sign-in as ${spec.user} (password)` : `${target} wants a password to sign in`;
    return { why, prompt: { kind: 'password', retry } };
  }
  const path = spec.key_path ?? '';
  const why = retry ? `the passphrase for the key ${path} is wrong` : `the key ${path} is protected by a passphrase: give it to sign in`;
  return { why, prompt: { kind: 'passphrase', path, retry } };
}

/** The history action of an answer (vireo-app `answer_prompt`). */
function answerAction(asked: HostPrompt | null, answer: PromptAnswer): string {
  switch (answer.kind) {
    case 'accept_host_key':
      return 'accept_host_key';
    case 'refuse_host_key':
      return 'refuse_host_key';
    case 'secret':
      return asked?.kind === 'passphrase' ? 'give_passphrase' : 'give_password';
    case 'cancel':
      return 'cancel_sign_in';
  }
}

function notFound(hostId: string): ErrorPayload {
  return { code: 'host_not_found', message: `no saved host with id '${hostId}'`, hint: null };
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
  /** Host keys the user accepted, by `host:port` (the core keeps them in its store). */
  acceptedKeys = new Set<string>();
  /** When set, the only password the fake's SSH servers take; else any but the empty one. */
  sshPassword: string | null = null;
  /** When set, key files are protected by this passphrase (asked for); else they have none. */
  keyPassphrase: string | null = null;
  #handler: ((ev: HostEvent) => void) | null = null;
  /**
   * Whether the password or passphrase given this session for an SSH host is the right one
   * (the core keeps the secret itself in memory; the fake needs only this).
   */
  #secrets = new Map<string, boolean>();
  /** Hosts the user disconnected: not connected again until asked. */
  #unwanted = new Set<string>();
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
   * Checks in the core's order (name, target, then the store's unique names), then saves as
   * `connecting`. An SSH host then signs in (`#attemptLater`); a URI host stays `connecting`
   * (the fake reaches no libvirt) until connected.
   */
  async addHost(name: string, target: HostTarget): Promise<HostSummary> {
    this.calls.push(`add_host ${name} ${targetText(target)}`);
    if (this.addHostGate) await this.addHostGate;
    const n = trimWhiteSpace(name);
    const error = this.#refusal(null, name, target);
    this.#record(n, 'add_host', targetText(target), error);
    if (error) throw error;
    const added: HostSummary = {
      id: String(this.#nextHostId++),
      name: n,
      accel: 'auto',
      status: 'connecting',
      error: null,
      prompt: null,
      retrying: true,
      ...reach(target),
    };
    this.hosts.push(added);
    if (added.ssh) this.#attemptLater(added.id);
    return structuredClone(added);
  }

  /** Checks like `addHost`, then saves and reconnects with the new settings. */
  async editHost(hostId: string, name: string, target: HostTarget): Promise<HostSummary> {
    this.calls.push(`edit_host ${hostId} ${name} ${targetText(target)}`);
    const n = trimWhiteSpace(name);
    const error = this.#refusal(hostId, name, target);
    this.#record(n, 'edit_host', targetText(target), error);
    if (error) throw error;
    this.#secrets.delete(hostId);
    this.#unwanted.delete(hostId);
    this.#update(hostId, { name: n, status: 'connecting', error: null, prompt: null, ...reach(target) });
    this.#attemptLater(hostId);
    return structuredClone(this.#find(hostId)!);
  }

  /**
   * Why the core would refuse this name and target for a new host (`hostId` null) or an
   * edited one, in its order: name, target, the host itself, then the store's unique names.
   */
  #refusal(hostId: string | null, name: string, target: HostTarget): ErrorPayload | null {
    const n = trimWhiteSpace(name);
    const error =
      coreRefusal('host_name', name) ?? (target.type === 'uri' ? coreRefusal('connection_uri', target.uri) : sshRefusal(target.spec));
    if (error) return error;
    if (hostId !== null && !this.#find(hostId)) return notFound(hostId);
    if (this.hosts.some((h) => h.name === n && h.id !== hostId)) {
      // The store's rule (vireo-store `DuplicateHost`), which no validation case covers.
      return invalid('host name', `a host named '${n}' already exists; pick another name`);
    }
    return null;
  }

  /** Connects now, even after a refused key or a disconnect; the outcome comes as events. */
  async connectHost(hostId: string): Promise<void> {
    this.calls.push(`connect_host ${hostId}`);
    this.#hostChange(hostId, 'connect_host');
    this.#unwanted.delete(hostId);
    this.#attemptLater(hostId);
  }

  /** Drops the connection until connected again; a question the host asks stays, as in the core. */
  async disconnectHost(hostId: string): Promise<void> {
    this.calls.push(`disconnect_host ${hostId}`);
    this.#hostChange(hostId, 'disconnect_host');
    this.#unwanted.add(hostId);
    setTimeout(() => this.#setStatus(hostId, 'disconnected', 'disconnected; connect it to see its VMs', this.#find(hostId)?.prompt, false), 0);
  }

  /**
   * Takes an answer as the core's SshLink does (same refusals, same history). Like the core,
   * giving up (refuse, cancel) sends no event: the host just stops asking.
   */
  async answerPrompt(hostId: string, answer: PromptAnswer): Promise<void> {
    // Never the secret itself, as the core's log leaves it out.
    this.calls.push(`answer_prompt ${hostId} ${answer.kind}`);
    const host = this.#find(hostId);
    if (!host) throw notFound(hostId);
    if (!host.ssh) throw invalid('answer', "this host does not sign in through Vireo's SSH session");
    const asked = host.prompt;
    const detail = asked?.kind === 'host_key' ? `${asked.key_type} ${asked.fingerprint}` : sshAddress(host.ssh);
    let error: ErrorPayload | null = null;
    try {
      this.#answer(host, host.ssh, asked, answer);
    } catch (e) {
      error = e as ErrorPayload;
    }
    this.#record(host.name, answerAction(asked, answer), detail, error);
    if (error) throw error;
  }

  #answer(host: HostSummary, spec: SshSpec, asked: HostPrompt | null, answer: PromptAnswer): void {
    if (answer.kind === 'cancel' || (answer.kind === 'refuse_host_key' && asked?.kind === 'host_key')) {
      this.#update(host.id, { prompt: null });
      return;
    }
    if (asked === null) throw invalid('answer', 'the host is not waiting for an answer');
    if (answer.kind === 'accept_host_key' && asked.kind === 'host_key') {
      const given = answer.fingerprint.trim();
      if (given !== asked.fingerprint) {
        throw invalid('host key', `the fingerprint given (${given}) is not the server's (${asked.fingerprint})`);
      }
      this.acceptedKeys.add(`${spec.host}:${spec.port}`);
    } else if (answer.kind === 'secret' && asked.kind !== 'host_key') {
      const expected = asked.kind === 'password' ? this.sshPassword : this.keyPassphrase;
      this.#secrets.set(host.id, answer.secret !== '' && (expected === null || answer.secret === expected));
    } else {
      throw invalid('answer', 'that answer does not fit the question the host asks');
    }
    this.#update(host.id, { prompt: null });
    this.#attemptLater(host.id);
  }

  async removeHost(hostId: string): Promise<void> {
    this.calls.push(`remove_host ${hostId}`);
    this.#hostChange(hostId, 'remove_host');
    this.hosts = this.hosts.filter((h) => h.id !== hostId);
    this.#secrets.delete(hostId);
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

  /** Consoles open now, by id: where their frames go and the inputs they were sent. */
  consoles = new Map<string, { uuid: string; onFrame: (buf: ArrayBuffer) => void; inputs: ConsoleInput[] }>();
  #nextConsole = 1;

  async openConsole(hostId: string, uuid: string, viewOnly: boolean, onFrame: (buf: ArrayBuffer) => void): Promise<ConsoleInfo> {
    this.calls.push(`open_console ${hostId} ${uuid}${viewOnly ? ' view-only' : ''}`);
    const vm = (this.vms[hostId] ?? []).find((v) => v.uuid === uuid);
    if (!vm) throw { code: 'vm_not_found', message: `no VM with UUID ${uuid} on this host` };
    if (vm.state !== 'running' && vm.state !== 'paused') {
      throw { code: 'no_console', message: `no console for '${vm.name}': it is ${vm.state.replace('_', ' ')}; start it to see its screen` };
    }
    const id = `console-${this.#nextConsole++}`;
    this.consoles.set(id, { uuid, onFrame, inputs: [] });
    // As the core does: the state and size first, then the whole screen, after the answer.
    setTimeout(() => this.consoleFrame(id, fakeScreen(FAKE_SCREEN.w, FAKE_SCREEN.h, 'connected')), 0);
    return { id, host_id: hostId, vm_name: vm.name };
  }

  /** Sends a message to an open console, as the core's channel does. */
  consoleFrame(id: string, buf: ArrayBuffer): void {
    this.consoles.get(id)?.onFrame(buf);
  }

  async consoleInput(id: string, input: ConsoleInput): Promise<void> {
    const c = this.consoles.get(id);
    if (!c) throw invalid('console', `no open console '${id}' (it was closed)`);
    c.inputs.push(input);
  }

  async consoleScreenshot(id: string): Promise<string> {
    if (!this.consoles.has(id)) throw invalid('console', `no open console '${id}' (it was closed)`);
    return `/home/user/Pictures/Vireo/${id}.png`;
  }

  async closeConsole(id: string): Promise<void> {
    this.calls.push(`close_console ${id}`);
    if (!this.consoles.delete(id)) throw invalid('console', `no open console '${id}' (it was closed)`);
  }

  emit(ev: HostEvent): void {
    this.#handler?.(ev);
  }

  /** Pools, volumes, the ISO library and tasks (fake-storage.ts); tests set them up and move tasks on there. */
  storage = new FakeStorage(
    (ev) => this.emit(ev),
    (hostId) => this.vms[hostId] ?? [],
  );

  /** Runs a storage call as a command: recorded, answered after a turn, refusals thrown. */
  async #store<T>(call: string, run: () => T): Promise<T> {
    this.calls.push(call);
    return run();
  }

  /** libvirt networks (networks/fake-networks.ts); tests set the VMs on them and their leases there. */
  networks = new FakeNetworks((ev) => this.emit(ev));

  listNetworks(hostId: string): Promise<NetworkSummary[]> {
    return this.#store(`list_networks ${hostId}`, () => this.networks.list(hostId));
  }

  createNetwork(hostId: string, network: NewNetwork): Promise<NetworkSummary> {
    return this.#store(`create_network ${hostId} ${network.name}`, () => {
      const made = this.#recorded(hostId, 'create_network', network.name, () => this.networks.create(hostId, network));
      return made;
    });
  }

  networkAction(hostId: string, name: string, action: NetworkAction, detach: boolean): Promise<void> {
    return this.#store(`network_action ${hostId} ${name} ${action} ${detach}`, () =>
      this.#recorded(hostId, `${action}_network`, name, () => this.networks.action(hostId, name, action, detach)),
    );
  }

  deleteNetwork(hostId: string, name: string, detach: boolean): Promise<void> {
    return this.#store(`delete_network ${hostId} ${name} ${detach}`, () =>
      this.#recorded(hostId, detach ? 'delete_network_detaching_vms' : 'delete_network', name, () => this.networks.remove(hostId, name, detach)),
    );
  }

  setNetworkIp(hostId: string, name: string, ip: NetworkIp, v6: boolean): Promise<NetChangeOutcome> {
    return this.#store(`set_network_ip ${hostId} ${name} ${ip.cidr} ${ip.dhcp ? `${ip.dhcp.start}-${ip.dhcp.end}` : 'no-dhcp'}`, () =>
      this.#recorded(hostId, 'change_network_subnet', `${name} ${ip.cidr}`, () => this.networks.setIp(hostId, name, ip, v6)),
    );
  }

  addDhcpHost(hostId: string, name: string, host: DhcpHost): Promise<void> {
    return this.#store(`add_dhcp_host ${hostId} ${name} ${host.ip} ${host.mac ?? '-'}`, () =>
      this.#recorded(hostId, 'add_static_host', `${name} ${host.ip}`, () => this.networks.addHost(hostId, name, host)),
    );
  }

  removeDhcpHost(hostId: string, name: string, ip: string): Promise<void> {
    return this.#store(`remove_dhcp_host ${hostId} ${name} ${ip}`, () =>
      this.#recorded(hostId, 'remove_static_host', `${name} ${ip}`, () => this.networks.removeHost(hostId, name, ip)),
    );
  }

  networkLeases(hostId: string, name: string): Promise<NetworkLease[]> {
    return this.#store(`network_leases ${hostId} ${name}`, () => this.networks.leasesOf(hostId, name));
  }

  createBridge(hostId: string, name: string, nic: string | null): Promise<void> {
    return this.#store(`create_bridge ${hostId} ${name} ${nic ?? '-'}`, () =>
      this.#recorded(hostId, 'create_bridge', nic ? `${name} ${nic}` : name, () => this.networks.createBridge(hostId, name, nic)),
    );
  }

  deleteBridge(hostId: string, name: string): Promise<void> {
    return this.#store(`delete_bridge ${hostId} ${name}`, () => this.#recorded(hostId, 'delete_bridge', name, () => this.networks.deleteBridge(hostId, name)));
  }

  /** IP pools (ippools/fake-ip-pools.ts) over the fake networks; tests set the VMs' NICs there. */
  ipPools = new FakeIpPools(this.networks);

  listIpPools(hostId: string): Promise<IpPoolSummary[]> {
    return this.#store(`list_ip_pools ${hostId}`, () => this.ipPools.list(hostId));
  }

  ipPool(hostId: string, name: string): Promise<IpPoolDetail> {
    return this.#store(`ip_pool ${hostId} ${name}`, () => this.ipPools.detail(hostId, name));
  }

  createIpPool(hostId: string, pool: NewIpPool): Promise<IpPoolSummary> {
    return this.#store(`create_ip_pool ${hostId} ${pool.name}`, () =>
      this.#recorded(hostId, 'create_ip_pool', pool.name, () => this.ipPools.create(hostId, pool)),
    );
  }

  deleteIpPool(hostId: string, name: string, release: boolean): Promise<void> {
    return this.#store(`delete_ip_pool ${hostId} ${name} ${release}`, () =>
      this.#recorded(hostId, release ? 'delete_ip_pool_releasing' : 'delete_ip_pool', name, () => this.ipPools.remove(hostId, name, release)),
    );
  }

  allocateIp(hostId: string, pool: string, ip: string | null, hold: Hold): Promise<PoolAddress> {
    return this.#store(`allocate_ip ${hostId} ${pool} ${ip ?? 'next'} ${hold.kind}`, () =>
      this.#recorded(hostId, hold.kind === 'reserve' ? 'reserve_ip' : 'allocate_ip', `${pool} ${ip ?? 'next free'}`, () => this.ipPools.allocate(hostId, pool, ip, hold)),
    );
  }

  assignIp(hostId: string, pool: string, vm: string, mac: string | null, ip: string | null): Promise<PoolAddress> {
    return this.#store(`assign_ip ${hostId} ${pool} ${vm} ${mac ?? '-'} ${ip ?? 'next'}`, () =>
      this.#recorded(hostId, 'assign_ip', `${pool} ${vm}`, () => this.ipPools.assign(hostId, pool, vm, mac, ip)),
    );
  }

  releaseIp(hostId: string, pool: string, ip: string): Promise<void> {
    return this.#store(`release_ip ${hostId} ${pool} ${ip}`, () =>
      this.#recorded(hostId, 'release_ip', `${pool} ${ip}`, () => this.ipPools.release(hostId, pool, ip)),
    );
  }

  /** Runs a change and records it in history like the core: its outcome either way. */
  #recorded<T>(hostId: string, action: string, target: string, run: () => T): T {
    try {
      const out = run();
      this.#record(this.#hostName(hostId), action, target, null);
      return out;
    } catch (e) {
      this.#record(this.#hostName(hostId), action, target, e);
      throw e;
    }
  }

  listTasks(): Promise<TaskSummary[]> {
    return this.#store('list_tasks', () => structuredClone(this.storage.tasks));
  }

  cancelTask(id: string): Promise<void> {
    return this.#store(`cancel_task ${id}`, () => this.storage.cancelTask(id));
  }

  listPools(hostId: string): Promise<PoolSummary[]> {
    return this.#store(`list_pools ${hostId}`, () => this.storage.listPools(hostId));
  }

  createPool(hostId: string, pool: NewPool): Promise<PoolSummary> {
    return this.#store(`create_pool ${hostId} ${pool.name}`, () => this.storage.createPool(hostId, pool));
  }

  poolAction(hostId: string, name: string, action: PoolAction): Promise<void> {
    return this.#store(`pool_action ${hostId} ${name} ${JSON.stringify(action)}`, () => this.storage.poolAction(hostId, name, action));
  }

  deletePool(hostId: string, name: string, deleteContents: boolean): Promise<void> {
    return this.#store(`delete_pool ${hostId} ${name} ${deleteContents}`, () => this.storage.deletePool(hostId, name));
  }

  listVolumes(hostId: string, pool: string): Promise<VolumeSummary[]> {
    return this.#store(`list_volumes ${hostId} ${pool}`, () => this.storage.listVolumes(hostId, pool));
  }

  createVolume(hostId: string, pool: string, volume: NewVolume): Promise<VolumeSummary> {
    return this.#store(`create_volume ${hostId} ${pool} ${volume.name} ${volume.capacity}`, () => this.storage.createVolume(hostId, pool, volume));
  }

  resizeVolume(hostId: string, pool: string, name: string, capacity: number): Promise<void> {
    return this.#store(`resize_volume ${hostId} ${pool} ${name} ${capacity}`, () => this.storage.resizeVolume(hostId, pool, name, capacity));
  }

  deleteVolume(hostId: string, pool: string, name: string): Promise<void> {
    return this.#store(`delete_volume ${hostId} ${pool} ${name}`, () => this.storage.deleteVolume(hostId, pool, name));
  }

  listIsos(hostId: string): Promise<VolumeSummary[]> {
    return this.#store(`list_isos ${hostId}`, () => this.storage.listIsos(hostId));
  }

  uploadIso(hostId: string, path: string, name: string | null, expectedSha256: string | null): Promise<TaskSummary> {
    return this.#store(`upload_iso ${hostId} ${path}`, () => this.storage.uploadIso(hostId, path, name, expectedSha256));
  }

  deleteIso(hostId: string, name: string): Promise<void> {
    return this.#store(`delete_iso ${hostId} ${name}`, () => this.storage.deleteIso(hostId, name));
  }

  isoDir(hostId: string): Promise<string> {
    return this.#store(`iso_dir ${hostId}`, () => this.storage.isoDir(hostId));
  }

  setIsoDir(hostId: string, dir: string): Promise<void> {
    return this.#store(`set_iso_dir ${hostId} ${dir}`, () => {
      if (!dir.startsWith('/')) throw invalid('ISO directory', `'${dir}' is not an absolute path (start it with /)`);
      this.storage.moveIsoLibrary(hostId, dir);
    });
  }

  hostLimits(hostId: string): Promise<HostLimits> {
    return this.#store(`host_limits ${hostId}`, () => structuredClone(this.storage.limits));
  }

  listNetworkNames(hostId: string): Promise<string[]> {
    return this.#store(`list_network_names ${hostId}`, () => [...this.storage.networks]);
  }

  createVm(hostId: string, vm: NewVm): Promise<TaskSummary> {
    return this.#store(`create_vm ${hostId} ${vm.name}`, () => this.storage.createVm(hostId, vm, (made) => (this.vms[hostId] ??= []).push(made)));
  }

  deleteVm(hostId: string, uuid: string, removeStorage: boolean): Promise<TaskSummary> {
    return this.#store(`delete_vm ${hostId} ${uuid} ${removeStorage}`, () =>
      this.storage.deleteVm(hostId, uuid, removeStorage, (gone) => {
        const vm = (this.vms[hostId] ?? []).find((v) => v.uuid === gone);
        this.vms[hostId] = (this.vms[hostId] ?? []).filter((v) => v.uuid !== gone);
        return vm?.name ?? null;
      }),
    );
  }

  /** VM details, CD-ROMs, snapshots, tags and addresses (fake-vm-config.ts); tests set them up there. */
  config = new FakeVmConfig(
    this.storage,
    (hostId) => this.vms[hostId] ?? [],
    (hostId, vm) => {
      (this.vms[hostId] ??= []).push(vm);
      // As libvirt says of a domain just defined: the list re-reads.
      this.emit({ kind: 'vm_lifecycle', host_id: hostId, uuid: vm.uuid, name: vm.name, event: 'defined', state: null });
    },
  );

  vmDetail(hostId: string, uuid: string): Promise<VmDetail> {
    return this.#store(`vm_detail ${hostId} ${uuid}`, () => structuredClone(this.config.detail(hostId, uuid)));
  }

  changeVm(hostId: string, uuid: string, change: VmChange): Promise<ChangeOutcome> {
    return this.#store(`change_vm ${hostId} ${uuid} ${JSON.stringify(change)}`, () => this.config.change(hostId, uuid, change));
  }

  vmAddresses(hostId: string): Promise<VmAddresses[]> {
    return this.#store(`vm_addresses ${hostId}`, () => structuredClone(this.config.addresses[hostId] ?? []));
  }

  vmTags(hostId: string): Promise<Record<string, string[]>> {
    return this.#store(`vm_tags ${hostId}`, () => this.config.tags(hostId));
  }

  setGuestPassword(hostId: string, uuid: string, user: string, _password: string): Promise<void> {
    return this.#store(`set_guest_password ${hostId} ${uuid} ${user}`, () => {
      const d = this.config.detail(hostId, uuid);
      if (!d.agent_channel || d.state !== 'running') {
        throw { code: 'no_guest_agent', message: `${d.name} has no guest agent answering`, hint: 'install qemu-guest-agent in the guest and start it' };
      }
    });
  }

  batchVms(hostId: string, uuids: string[], action: BatchAction): Promise<BatchItem[]> {
    return this.#store(`batch_vms ${hostId} ${uuids.length} ${JSON.stringify(action)}`, () =>
      uuids.map((uuid) => {
        const vm = (this.vms[hostId] ?? []).find((v) => v.uuid === uuid);
        if (!vm) return { uuid, name: uuid, error: { code: 'vm_not_found', message: `no VM with UUID ${uuid} on this host`, hint: null } };
        const kind = action.kind;
        if (kind === 'start' && vm.state === 'running') return { uuid, name: vm.name, error: { code: 'invalid_state', message: `${vm.name} is already running`, hint: null } };
        if (kind === 'start') vm.state = 'running';
        else if (kind === 'shutdown' || kind === 'destroy') vm.state = 'shut_off';
        else this.vms[hostId] = (this.vms[hostId] ?? []).filter((v) => v.uuid !== uuid);
        this.#record(this.#hostName(hostId), kind === 'delete' ? 'delete_vm' : kind, vm.name, null);
        return { uuid, name: vm.name, error: null };
      }),
    );
  }

  cdromDrives(hostId: string, uuid: string): Promise<CdromDrive[]> {
    return this.#store(`cdrom_drives ${hostId} ${uuid}`, () => this.config.drives(hostId, uuid));
  }

  changeMedia(hostId: string, uuid: string, target: string, iso: string | null): Promise<CdromDrive[]> {
    return this.#store(`change_media ${hostId} ${uuid} ${target} ${iso}`, () => this.config.changeMedia(hostId, uuid, target, iso));
  }

  listSnapshots(hostId: string, uuid: string): Promise<SnapshotSummary[]> {
    return this.#store(`list_snapshots ${hostId} ${uuid}`, () => structuredClone(this.config.listSnapshots(hostId, uuid)));
  }

  createSnapshot(hostId: string, uuid: string, snapshot: NewSnapshot): Promise<SnapshotSummary> {
    return this.#store(`create_snapshot ${hostId} ${uuid} ${snapshot.name}`, () => structuredClone(this.config.createSnapshot(hostId, uuid, snapshot)));
  }

  revertSnapshot(hostId: string, uuid: string, snapshot: string): Promise<TaskSummary> {
    return this.#store(`revert_snapshot ${hostId} ${uuid} ${snapshot}`, () => this.config.revertSnapshot(hostId, uuid, snapshot));
  }

  deleteSnapshot(hostId: string, uuid: string, snapshot: string, withChildren: boolean): Promise<void> {
    return this.#store(`delete_snapshot ${hostId} ${uuid} ${snapshot} ${withChildren}`, () => this.config.deleteSnapshot(hostId, uuid, snapshot, withChildren));
  }

  cloneVm(hostId: string, uuid: string, clone: NewClone): Promise<TaskSummary> {
    return this.#store(`clone_vm ${hostId} ${uuid} ${clone.name} ${clone.mode}`, () => this.config.cloneVm(hostId, uuid, clone));
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

  /** Records a change to a saved host (history names the host twice, as the core's does); refuses an unknown one. */
  #hostChange(hostId: string, action: string): void {
    const name = this.#hostName(hostId);
    const error = this.#find(hostId) ? null : notFound(hostId);
    this.#record(name, action, name, error);
    if (error) throw error;
  }

  #find(hostId: string): HostSummary | undefined {
    return this.hosts.find((h) => h.id === hostId);
  }

  #update(hostId: string, change: Partial<HostSummary>): void {
    this.hosts = this.hosts.map((h) => (h.id === hostId ? { ...h, ...change } : h));
  }

  /** Sets the host's status and sends it, with the question it asks (if any), as the core does. */
  #setStatus(
    hostId: string,
    status: HostStatus,
    error: string | null,
    prompt: HostPrompt | null = null,
    retrying = prompt === null,
  ): void {
    if (!this.#find(hostId)) return;
    this.#update(hostId, { status, error, prompt, retrying });
    this.emit({ kind: 'host_status', host_id: hostId, status, error, prompt, retrying });
  }

  /** A connection attempt, after the current call has answered (the core's run in the background). */
  #attemptLater(hostId: string): void {
    setTimeout(() => {
      if (!this.#find(hostId) || this.#unwanted.has(hostId)) return;
      this.#setStatus(hostId, 'connecting', null);
      this.#attempt(hostId);
    }, 0);
  }

  /** How the attempt ends: connected, or waiting for the user (`SshLink::note_failure`). */
  #attempt(hostId: string): void {
    const spec = this.#find(hostId)?.ssh;
    if (!spec) return this.#setStatus(hostId, 'connected', null);
    if (!this.acceptedKeys.has(`${spec.host}:${spec.port}`)) {
      const fingerprint = fakeFingerprint(spec);
      const why = `the host key of ${sshAddress(spec)} is not known: ${FAKE_KEY_TYPE} ${fingerprint}. Compare it with the server's own and accept it only if they match`;
      return this.#setStatus(hostId, 'disconnected', why, { kind: 'host_key', key_type: FAKE_KEY_TYPE, fingerprint });
    }
    const needsSecret = spec.auth === 'password' || (spec.auth === 'key' && this.keyPassphrase !== null);
    const secret = this.#secrets.get(hostId);
    if (needsSecret && secret !== true) {
      // A refused secret is not tried again: it is asked for anew, saying the last one was wrong.
      this.#secrets.delete(hostId);
      const { why, prompt } = secretPrompt(spec, secret === false);
      return this.#setStatus(hostId, 'disconnected', why, prompt);
    }
    this.#setStatus(hostId, 'connected', null);
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
  api.hosts = [
    { id: '1', name: 'Demo', uri: 'test:///default', kind: 'demo', accel: 'auto', status: 'connected', error: null, ssh: null, prompt: null, retrying: true },
  ];
  api.generateVms('1', count);
  api.startStats();
  return api;
}

/** The fake console's screen size. */
export const FAKE_SCREEN = { w: 64, h: 32 };

/** A message with a state, a size and a whole grey screen with a white top-left pixel. */
export function fakeScreen(w: number, h: number, state: 'connected' | 'reconnecting'): ArrayBuffer {
  const rgba = new Uint8ClampedArray(w * h * 4).fill(96);
  rgba.set([255, 255, 255, 255], 0);
  return encodeRecords([
    { kind: 'state', state, reason: '' },
    { kind: 'resize', w, h },
    { kind: 'rect', x: 0, y: 0, w, h, rgba },
  ]);
}
