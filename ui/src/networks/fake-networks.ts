// The fake backend's libvirt networks (see lib/fake-api.ts): per host, with the VMs on each
// set by tests. Subnets are judged by the core's own verdicts (validation-cases.json) where
// listed; overlap with the host's other networks is the host's state, modelled here for
// IPv4. Refusals use the core's codes and wording.
import type { ChangeOutcome } from '../bindings/ChangeOutcome';
import type { DhcpHost } from '../bindings/DhcpHost';
import type { ErrorPayload } from '../bindings/ErrorPayload';
import type { HostEvent } from '../bindings/HostEvent';
import type { NetworkAction } from '../bindings/NetworkAction';
import type { NetworkIp } from '../bindings/NetworkIp';
import type { NetworkLease } from '../bindings/NetworkLease';
import type { NetworkSummary } from '../bindings/NetworkSummary';
import type { NewNetwork } from '../bindings/NewNetwork';
import { coreVerdict } from '../lib/core-cases';
import { vmNameProblem } from '../lib/names';

function invalid(field: string, reason: string): ErrorPayload {
  return { code: 'invalid_input', message: `invalid ${field}: ${reason}`, hint: 'Correct the value and try again.' };
}

/** An IPv4 CIDR as [first, last] addresses, or null for anything else. */
export function v4Span(cidr: string): [number, number] | null {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cidr.trim());
  if (!m) return null;
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return null;
  const addr = octets.reduce((a, o) => a * 256 + o, 0);
  const size = 2 ** (32 - prefix);
  const first = Math.floor(addr / size) * size;
  return [first, first + size - 1];
}

export function fakeNetwork(over: Partial<NetworkSummary> = {}): NetworkSummary {
  const name = over.name ?? 'default';
  return {
    name,
    uuid: `uuid-net-${name}`,
    kind: 'nat',
    mode: 'nat',
    active: true,
    autostart: true,
    persistent: true,
    bridge: 'virbr0',
    device: null,
    ipv4: { cidr: '192.168.122.0/24', gateway: '192.168.122.1', dhcp: { start: '192.168.122.2', end: '192.168.122.254' }, hosts: [] },
    ipv6: null,
    vms: [],
    ...over,
  };
}

export class FakeNetworks {
  /** By host id. */
  nets: Record<string, NetworkSummary[]> = {};
  /** Leases by host id and network name. */
  leases: Record<string, Record<string, NetworkLease[]>> = {};
  #emit: (ev: HostEvent) => void;
  #bridge = 1;

  constructor(emit: (ev: HostEvent) => void) {
    this.#emit = emit;
  }

  #of(hostId: string): NetworkSummary[] {
    return (this.nets[hostId] ??= [fakeNetwork()]);
  }

  #find(hostId: string, name: string): NetworkSummary {
    const n = this.#of(hostId).find((x) => x.name === name);
    if (!n) throw { code: 'not_found', message: `no network named '${name}' on ${hostId}`, hint: null } satisfies ErrorPayload;
    return n;
  }

  list(hostId: string): NetworkSummary[] {
    return structuredClone(this.#of(hostId));
  }

  create(hostId: string, net: NewNetwork): NetworkSummary {
    const nameProblem = vmNameProblem(net.name);
    if (nameProblem) throw invalid('network name', nameProblem.kind);
    for (const ip of [net.ipv4, net.ipv6]) {
      if (!ip) continue;
      const verdict = coreVerdict('network_cidr', ip.cidr);
      if (verdict) throw verdict;
      const span = v4Span(ip.cidr);
      const other = span && this.#of(hostId).find((o) => {
        const s = o.ipv4 && v4Span(o.ipv4.cidr);
        return s && s[0] <= span[1] && span[0] <= s[1];
      });
      if (other) throw invalid('IPv4 subnet', `${ip.cidr} overlaps network '${other.name}' (${other.ipv4?.cidr})`);
    }
    if (net.kind === 'nat' && !net.ipv4) throw invalid('IPv4 subnet', 'a NAT network needs an IPv4 subnet (NAT is for IPv4)');
    if (this.#of(hostId).some((n) => n.name === net.name)) {
      throw { code: 'already_exists', message: `${hostId} already has a network named '${net.name}'`, hint: null } satisfies ErrorPayload;
    }
    const resolve = (ip: NetworkIp | null): NetworkIp | null =>
      ip && { ...ip, gateway: ip.gateway ?? ip.cidr.replace(/0\/\d+$/, '1').replace(/::\/\d+$/, '::1') };
    const made: NetworkSummary = {
      ...fakeNetwork({ name: net.name }),
      kind: net.kind,
      mode: net.kind,
      autostart: net.autostart,
      bridge: net.bridge ?? `virbr${this.#bridge++}`,
      device: net.device,
      ipv4: resolve(net.ipv4),
      ipv6: resolve(net.ipv6),
    };
    this.#of(hostId).push(made);
    this.#emit({ kind: 'network_lifecycle', host_id: hostId, name: net.name, event: 'started' });
    return structuredClone(made);
  }

  action(hostId: string, name: string, action: NetworkAction, detach: boolean): void {
    const n = this.#find(hostId, name);
    if (action === 'stop' && n.vms.length > 0 && !detach) throw this.#inUse(n);
    if (action === 'stop') n.vms = detach ? [] : n.vms;
    if (action === 'start' || action === 'stop') {
      n.active = action === 'start';
      this.#emit({ kind: 'network_lifecycle', host_id: hostId, name, event: action === 'start' ? 'started' : 'stopped' });
    }
    if (action === 'autostart' || action === 'no_autostart') n.autostart = action === 'autostart';
  }

  remove(hostId: string, name: string, detach: boolean): void {
    const n = this.#find(hostId, name);
    if (n.vms.length > 0 && !detach) throw this.#inUse(n);
    this.nets[hostId] = this.#of(hostId).filter((x) => x.name !== name);
    this.#emit({ kind: 'network_lifecycle', host_id: hostId, name, event: 'undefined' });
  }

  #inUse(n: NetworkSummary): ErrorPayload {
    return { code: 'in_use', message: `network '${n.name}' is in use by ${n.vms.join(', ')}`, hint: null };
  }

  setIp(hostId: string, name: string, ip: NetworkIp, v6: boolean): ChangeOutcome {
    const verdict = coreVerdict('network_cidr', ip.cidr);
    if (verdict) throw verdict;
    const n = this.#find(hostId, name);
    const old = v6 ? n.ipv6 : n.ipv4;
    const sameSubnet = old?.cidr === ip.cidr;
    const next = { ...ip, gateway: ip.gateway ?? old?.gateway ?? null, hosts: old?.hosts ?? [] };
    if (v6) n.ipv6 = next;
    else n.ipv4 = next;
    return n.active && !sameSubnet
      ? { applied: 'next_boot', reason: 'a new subnet or gateway applies when the network restarts' }
      : { applied: 'now', reason: null };
  }

  addHost(hostId: string, name: string, host: DhcpHost): void {
    const n = this.#find(hostId, name);
    const family = host.ip.includes(':') ? n.ipv6 : n.ipv4;
    if (!family) throw invalid('static host address', `network '${name}' has no ${host.ip.includes(':') ? 'IPv6' : 'IPv4'} subnet`);
    const other = family.hosts.find((h) => h.ip === host.ip || (host.mac !== null && h.mac === host.mac));
    if (other) throw invalid('static host', `network '${name}' already gives ${other.ip} to ${other.mac ?? other.name ?? ''}`);
    family.hosts.push({ ...host, mac: host.mac?.toLowerCase() ?? null });
  }

  removeHost(hostId: string, name: string, ip: string): void {
    const n = this.#find(hostId, name);
    for (const family of [n.ipv4, n.ipv6]) {
      if (family) family.hosts = family.hosts.filter((h) => h.ip !== ip);
    }
  }

  /** Bridges made through Vireo, by host id. */
  bridges: Record<string, string[]> = {};

  createBridge(hostId: string, name: string, nic: string | null): void {
    const made = (this.bridges[hostId] ??= []);
    if (made.includes(name) || this.#of(hostId).some((n) => n.bridge === name)) {
      throw { code: 'already_exists', message: `${hostId} already has a network interface named '${name}'`, hint: null } satisfies ErrorPayload;
    }
    if (nic === 'lo') throw invalid('NIC', "'lo' has the address 127.0.0.1: on a bridge it would stop working (and a host reached through it would be cut off); move its addresses to the bridge first");
    made.push(name);
  }

  deleteBridge(hostId: string, name: string): void {
    const users = this.#of(hostId).filter((n) => n.bridge === name);
    if (users.length > 0) throw { code: 'in_use', message: `bridge '${name}' is in use by ${users.map((n) => `network ${n.name}`).join(', ')}`, hint: null } satisfies ErrorPayload;
    this.bridges[hostId] = (this.bridges[hostId] ?? []).filter((b) => b !== name);
  }

  leasesOf(hostId: string, name: string): NetworkLease[] {
    this.#find(hostId, name);
    return structuredClone(this.leases[hostId]?.[name] ?? []);
  }
}
