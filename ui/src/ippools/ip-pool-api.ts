// The IP pool calls into the core: the part of `Api` the IP pools page uses. Kept beside
// the page so the feature's calls, state and components live together.
import type { Hold } from '../bindings/Hold';
import type { IpPoolDetail } from '../bindings/IpPoolDetail';
import type { IpPoolSummary } from '../bindings/IpPoolSummary';
import type { NewIpPool } from '../bindings/NewIpPool';
import type { PoolAddress } from '../bindings/PoolAddress';

export interface IpPoolApi {
  /** The host's pools with their usage. */
  listIpPools(hostId: string): Promise<IpPoolSummary[]>;
  /** A pool's taken addresses and what on the host disagrees with it. */
  ipPool(hostId: string, name: string): Promise<IpPoolDetail>;
  /** Checked (ranges, family, the network's subnet, other pools) before it is saved. */
  createIpPool(hostId: string, pool: NewIpPool): Promise<IpPoolSummary>;
  /** Refused, naming them, while VMs use its addresses, unless `release`. */
  deleteIpPool(hostId: string, name: string, release: boolean): Promise<void>;
  /** `ip` null: the next free address. */
  allocateIp(hostId: string, pool: string, ip: string | null, hold: Hold): Promise<PoolAddress>;
  /** A VM's NIC on the pool's network gets the address by a static DHCP host. */
  assignIp(hostId: string, pool: string, vm: string, mac: string | null, ip: string | null): Promise<PoolAddress>;
  releaseIp(hostId: string, pool: string, ip: string): Promise<void>;
}

type Call = <T>(command: string, args?: Record<string, unknown>) => Promise<T>;

export function ipPoolCalls(call: Call): IpPoolApi {
  return {
    listIpPools: (hostId) => call<IpPoolSummary[]>('list_ip_pools', { hostId }),
    ipPool: (hostId, name) => call<IpPoolDetail>('ip_pool', { hostId, name }),
    createIpPool: (hostId, pool) => call<IpPoolSummary>('create_ip_pool', { hostId, pool }),
    deleteIpPool: async (hostId, name, release) => {
      await call<null>('delete_ip_pool', { hostId, name, release });
    },
    allocateIp: (hostId, pool, ip, hold) => call<PoolAddress>('allocate_ip', { hostId, pool, ip, hold }),
    assignIp: (hostId, pool, vm, mac, ip) => call<PoolAddress>('assign_ip', { hostId, pool, vm, mac, ip }),
    releaseIp: async (hostId, pool, ip) => {
      await call<null>('release_ip', { hostId, pool, ip });
    },
  };
}
