// The fake backend's IP pools (see lib/fake-api.ts): per host, over the fake networks, with
// the core's checks and wording for what the UI shows (ranges, families, the network's
// subnet, overlap with other pools, taken and exhausted addresses, pools in use). The VMs'
// NICs that `assign` can give an address to are set by tests in `nics`.
import type { ErrorPayload } from '../bindings/ErrorPayload';
import type { Hold } from '../bindings/Hold';
import type { IpPoolDetail } from '../bindings/IpPoolDetail';
import type { IpPoolSummary } from '../bindings/IpPoolSummary';
import type { NewIpPool } from '../bindings/NewIpPool';
import type { PoolAddress } from '../bindings/PoolAddress';
import type { FakeNetworks } from '../networks/fake-networks';
import { vmNameProblem } from '../lib/names';
import { formatIp, parseIp, parseSpan, type Family, type Span } from './addresses';

type FakePool = { name: string; network: string | null; ranges: string[]; family: Family; spans: Span[]; addresses: PoolAddress[] };

function invalid(field: string, reason: string): ErrorPayload {
  return { code: 'invalid_input', message: `invalid ${field}: ${reason}`, hint: 'Correct the value and try again.' };
}

function taken(ip: string, by: string): ErrorPayload {
  return { code: 'address_taken', message: `${ip} is taken: ${by}`, hint: 'Pick another address, or let Vireo take the next free one.' };
}

const size = (p: FakePool) => p.spans.reduce((n, s) => n + s.end - s.start + 1n, 0n);

export class FakeIpPools {
  /** By host id. */
  pools: Record<string, FakePool[]> = {};
  /** The NICs of each host's VMs, set by tests: what `assign` can give an address to. */
  nics: Record<string, { vm: string; mac: string; network: string }[]> = {};
  #networks: FakeNetworks;

  constructor(networks: FakeNetworks) {
    this.#networks = networks;
  }

  #of(hostId: string): FakePool[] {
    return (this.pools[hostId] ??= []);
  }

  #find(hostId: string, name: string): FakePool {
    const p = this.#of(hostId).find((x) => x.name === name);
    if (!p) throw { code: 'not_found', message: `no IP pool named '${name}' on ${hostId}`, hint: null } satisfies ErrorPayload;
    return p;
  }

  #summary(p: FakePool): IpPoolSummary {
    const used = p.addresses.filter((a) => a.state === 'used').length;
    return {
      name: p.name,
      network: p.network,
      v6: p.family === 6,
      ranges: [...p.ranges],
      size: String(size(p)),
      used,
      reserved: p.addresses.length - used,
      free: String(size(p) - BigInt(p.addresses.length)),
    };
  }

  list(hostId: string): IpPoolSummary[] {
    return this.#of(hostId).map((p) => this.#summary(p));
  }

  detail(hostId: string, name: string): IpPoolDetail {
    const p = this.#find(hostId, name);
    const order = (a: PoolAddress) => parseIp(a.ip)?.value ?? 0n;
    const addresses = structuredClone(p.addresses).sort((a, b) => (order(a) < order(b) ? -1 : 1));
    return { pool: this.#summary(p), addresses, conflicts: [] };
  }

  create(hostId: string, pool: NewIpPool): IpPoolSummary {
    const problem = vmNameProblem(pool.name);
    if (problem) throw invalid('IP pool name', problem.kind);
    const ranges = pool.ranges.map((r) => r.trim()).filter((r) => r !== '');
    if (ranges.length === 0) throw invalid('IP pool range', 'give at least one subnet, range or address');
    const spans: Span[] = [];
    for (const r of ranges) {
      const s = parseSpan(r);
      if (!s) throw invalid('IP pool range', `'${r}' is not a subnet, a range or an address`);
      if (spans.length > 0 && spans[0].family !== s.family) throw invalid('IP pool range', `'${r}' is IPv${s.family} but the pool's first range is IPv${spans[0].family}: one family per pool`);
      spans.push(s);
    }
    const family = spans[0].family;
    if (pool.network) {
      const net = this.#networks.list(hostId).find((n) => n.name === pool.network);
      if (!net) throw { code: 'not_found', message: `no network named '${pool.network}' on ${hostId}`, hint: null } satisfies ErrorPayload;
      const ip = family === 6 ? net.ipv6 : net.ipv4;
      if (!ip) throw invalid('IP pool network', `network '${net.name}' has no IPv${family} subnet`);
      const [addr, len] = ip.cidr.split('/');
      const base = parseIp(addr)!.value;
      const width = 1n << BigInt((family === 4 ? 32 : 128) - Number(len));
      for (const s of spans) {
        for (const end of [s.start, s.end]) {
          if (end < base || end >= base + width) throw invalid('IP pool range', `${formatIp(family, end)} is outside network '${net.name}' (${ip.cidr})`);
        }
      }
    }
    for (const other of this.#of(hostId)) {
      const clash = other.family === family && other.spans.find((o) => spans.some((s) => s.start <= o.end && o.start <= s.end));
      if (clash) {
        const s = spans.find((x) => x.start <= clash.end && clash.start <= x.end)!;
        throw invalid('IP pool range', `pool '${other.name}' already holds ${formatIp(family, s.start > clash.start ? s.start : clash.start)}`);
      }
    }
    if (this.#of(hostId).some((p) => p.name === pool.name)) {
      throw { code: 'already_exists', message: `${hostId} already has a IP pool named '${pool.name}'`, hint: null } satisfies ErrorPayload;
    }
    const made: FakePool = { name: pool.name, network: pool.network, ranges, family, spans, addresses: [] };
    this.#of(hostId).push(made);
    return this.#summary(made);
  }

  remove(hostId: string, name: string, release: boolean): void {
    const p = this.#find(hostId, name);
    const used = p.addresses.filter((a) => a.state === 'used');
    if (used.length > 0 && !release) {
      const users = used.map((a) => `${a.vm ?? a.mac ?? 'a holder'} (${a.ip})`).join(', ');
      throw { code: 'in_use', message: `IP pool '${name}' is in use by ${users}`, hint: null } satisfies ErrorPayload;
    }
    for (const a of p.addresses.filter((x) => x.dhcp_host)) this.#networks.removeHost(hostId, p.network!, a.ip);
    this.pools[hostId] = this.#of(hostId).filter((x) => x !== p);
  }

  #take(p: FakePool, ip: string | null, address: Omit<PoolAddress, 'ip'>): PoolAddress {
    let value: bigint;
    if (ip !== null) {
      const a = parseIp(ip);
      if (!a) throw invalid('address', `'${ip.trim()}' is not an IP address`);
      if (a.family !== p.family || !p.spans.some((s) => s.start <= a.value && a.value <= s.end)) {
        throw invalid('address', `${ip.trim()} is not in pool '${p.name}'`);
      }
      const text = formatIp(p.family, a.value);
      const holder = p.addresses.find((x) => x.ip === text);
      if (holder) throw taken(text, holder.state === 'reserved' ? `reserved${holder.note ? `: ${holder.note}` : ''}` : `used by ${holder.vm ?? holder.mac ?? 'a holder'}`);
      value = a.value;
    } else {
      const held = new Set(p.addresses.map((x) => x.ip));
      let found: bigint | null = null;
      for (const s of p.spans) {
        for (let v = s.start; v <= s.end && found === null; v++) if (!held.has(formatIp(p.family, v))) found = v;
        if (found !== null) break;
      }
      if (found === null) {
        throw { code: 'exhausted', message: `IP pool '${p.name}' has no free address: all ${size(p)} are used or reserved`, hint: null } satisfies ErrorPayload;
      }
      value = found;
    }
    const made: PoolAddress = { ...address, ip: formatIp(p.family, value) };
    p.addresses.push(made);
    return structuredClone(made);
  }

  allocate(hostId: string, pool: string, ip: string | null, hold: Hold): PoolAddress {
    const p = this.#find(hostId, pool);
    const at_ms = Date.now();
    if (hold.kind === 'reserve') return this.#take(p, ip, { state: 'reserved', vm: null, mac: null, note: hold.note || null, dhcp_host: false, at_ms });
    return this.#take(p, ip, { state: 'used', vm: hold.vm, mac: hold.mac, note: hold.note, dhcp_host: false, at_ms });
  }

  assign(hostId: string, pool: string, vm: string, mac: string | null, ip: string | null): PoolAddress {
    const p = this.#find(hostId, pool);
    if (!p.network) throw invalid('IP pool', `pool '${pool}' is not tied to a network, so no NIC can be given its address; allocate it instead`);
    const nics = (this.nics[hostId] ?? []).filter((n) => n.vm === vm && n.network === p.network && (mac === null || n.mac === mac));
    if (nics.length === 0) throw invalid('NIC', `VM '${vm}' has no NIC on network '${p.network}'`);
    if (nics.length > 1) throw invalid('NIC', `VM '${vm}' has ${nics.length} NICs on network '${p.network}'; give the MAC of one`);
    const made = this.#take(p, ip, { state: 'used', vm, mac: nics[0].mac, note: null, dhcp_host: true, at_ms: Date.now() });
    try {
      this.#networks.addHost(hostId, p.network, { mac: nics[0].mac, ip: made.ip, name: null });
    } catch (e) {
      p.addresses = p.addresses.filter((x) => x.ip !== made.ip);
      throw e;
    }
    return made;
  }

  release(hostId: string, pool: string, ip: string): void {
    const p = this.#find(hostId, pool);
    const a = p.addresses.find((x) => x.ip === ip.trim());
    if (!a) throw invalid('address', `${ip.trim()} is free in pool '${pool}': there is nothing to release`);
    if (a.dhcp_host && p.network) this.#networks.removeHost(hostId, p.network, a.ip);
    p.addresses = p.addresses.filter((x) => x !== a);
  }
}
