// The network calls into the core: the part of `Api` the Networks page uses. Kept beside
// the page so the feature's calls, state and components live together.
import type { ChangeOutcome } from '../bindings/ChangeOutcome';
import type { DhcpHost } from '../bindings/DhcpHost';
import type { NetworkAction } from '../bindings/NetworkAction';
import type { NetworkIp } from '../bindings/NetworkIp';
import type { NetworkLease } from '../bindings/NetworkLease';
import type { NetworkSummary } from '../bindings/NetworkSummary';
import type { NewNetwork } from '../bindings/NewNetwork';

export interface NetworkApi {
  /** Every libvirt network of the host, with the VMs on each. */
  listNetworks(hostId: string): Promise<NetworkSummary[]>;
  /** Checked against the host's other networks, routes and addresses before anything is made. */
  createNetwork(hostId: string, network: NewNetwork): Promise<NetworkSummary>;
  /** `detach` with `stop`: the running VMs' NICs on it are removed first (else refused, naming them). */
  networkAction(hostId: string, name: string, action: NetworkAction, detach: boolean): Promise<void>;
  /** Refused, naming them, while VMs have NICs on it, unless `detach`. */
  deleteNetwork(hostId: string, name: string, detach: boolean): Promise<void>;
  /** A family's subnet, gateway and DHCP range; the outcome says whether it is live. */
  setNetworkIp(hostId: string, name: string, ip: NetworkIp, v6: boolean): Promise<ChangeOutcome>;
  /** A static DHCP host, live and persistent. */
  addDhcpHost(hostId: string, name: string, host: DhcpHost): Promise<void>;
  removeDhcpHost(hostId: string, name: string, ip: string): Promise<void>;
  /** The current leases, each with its VM and whether it is a static host. */
  networkLeases(hostId: string, name: string): Promise<NetworkLease[]>;
  /** A Linux bridge on the host, up, with `nic` (one without addresses) on it. */
  createBridge(hostId: string, name: string, nic: string | null): Promise<void>;
  /** Refused while a network is on it. */
  deleteBridge(hostId: string, name: string): Promise<void>;
}

type Call = <T>(command: string, args?: Record<string, unknown>) => Promise<T>;

export function networkCalls(call: Call): NetworkApi {
  return {
    listNetworks: (hostId) => call<NetworkSummary[]>('list_networks', { hostId }),
    createNetwork: (hostId, network) => call<NetworkSummary>('create_network', { hostId, network }),
    networkAction: async (hostId, name, action, detach) => {
      await call<null>('network_action', { hostId, name, action, detach });
    },
    deleteNetwork: async (hostId, name, detach) => {
      await call<null>('delete_network', { hostId, name, detach });
    },
    setNetworkIp: (hostId, name, ip, v6) => call<ChangeOutcome>('set_network_ip', { hostId, name, ip, v6 }),
    addDhcpHost: async (hostId, name, host) => {
      await call<null>('add_dhcp_host', { hostId, name, host });
    },
    removeDhcpHost: async (hostId, name, ip) => {
      await call<null>('remove_dhcp_host', { hostId, name, ip });
    },
    networkLeases: (hostId, name) => call<NetworkLease[]>('network_leases', { hostId, name }),
    createBridge: async (hostId, name, nic) => {
      await call<null>('create_bridge', { hostId, name, nic });
    },
    deleteBridge: async (hostId, name) => {
      await call<null>('delete_bridge', { hostId, name });
    },
  };
}
