// The Networks page's state for one host: the networks, the chosen one's leases, filters,
// and the changes made on them. A refusal is kept to show beside what was acted on (a
// network in use names its VMs).
import type { DhcpHost } from '../bindings/DhcpHost';
import type { ErrorPayload } from '../bindings/ErrorPayload';
import type { NetworkAction } from '../bindings/NetworkAction';
import type { NetworkIp } from '../bindings/NetworkIp';
import type { NetworkKind } from '../bindings/NetworkKind';
import type { NetworkLease } from '../bindings/NetworkLease';
import type { NetworkSummary } from '../bindings/NetworkSummary';
import type { NewNetwork } from '../bindings/NewNetwork';
import { toErrorPayload } from '../lib/errors';
import type { NetworkApi } from './network-api';

export type StateFilter = 'all' | 'active' | 'inactive';

export class NetworksState {
  networks = $state<NetworkSummary[] | null>(null);
  loadError = $state<ErrorPayload | null>(null);
  selected = $state<string | null>(null);
  leases = $state<NetworkLease[] | null>(null);
  /** The last change refused. */
  actionError = $state<ErrorPayload | null>(null);
  /** Said after a change that applies only when the network restarts. */
  notice = $state<string | null>(null);
  busy = $state(false);
  kind = $state<NetworkKind | 'all'>('all');
  stateFilter = $state<StateFilter>('all');
  search = $state('');

  #api: NetworkApi;
  readonly hostId: string;
  #load = 0;

  constructor(api: NetworkApi, hostId: string) {
    this.#api = api;
    this.hostId = hostId;
  }

  chosen = $derived(this.networks?.find((n) => n.name === this.selected) ?? null);

  shown = $derived(
    (this.networks ?? []).filter(
      (n) =>
        (this.kind === 'all' || n.kind === this.kind) &&
        (this.stateFilter === 'all' || (this.stateFilter === 'active') === n.active) &&
        n.name.toLowerCase().includes(this.search.trim().toLowerCase()),
    ),
  );

  async load(): Promise<void> {
    const load = ++this.#load;
    try {
      const nets = await this.#api.listNetworks(this.hostId);
      if (load !== this.#load) return;
      this.networks = nets;
      this.loadError = null;
      if (!nets.some((n) => n.name === this.selected)) this.selected = nets[0]?.name ?? null;
    } catch (e) {
      if (load === this.#load) this.loadError = toErrorPayload(e);
      return;
    }
    await this.loadLeases();
  }

  async select(name: string): Promise<void> {
    this.selected = name;
    this.leases = null;
    await this.loadLeases();
  }

  async loadLeases(): Promise<void> {
    const net = this.chosen;
    if (net === null || !net.active) {
      this.leases = net === null ? null : [];
      return;
    }
    try {
      const leases = await this.#api.networkLeases(this.hostId, net.name);
      if (this.selected === net.name) this.leases = leases;
    } catch {
      // A network without DHCP has no leases to read.
      if (this.selected === net.name) this.leases = [];
    }
  }

  /** Runs a change; true when it was done. The list is read again either way. */
  async #change(call: () => Promise<unknown>): Promise<boolean> {
    this.busy = true;
    this.actionError = null;
    this.notice = null;
    try {
      await call();
      return true;
    } catch (e) {
      this.actionError = toErrorPayload(e);
      return false;
    } finally {
      this.busy = false;
      await this.load();
    }
  }

  /** Makes the network; with `bridge`, its host bridge first (removed again if the network is refused). */
  async create(net: NewNetwork, bridge: { nic: string | null } | null = null): Promise<boolean> {
    const done = await this.#change(async () => {
      if (bridge === null || net.bridge === null) return this.#api.createNetwork(this.hostId, net);
      await this.#api.createBridge(this.hostId, net.bridge, bridge.nic);
      try {
        return await this.#api.createNetwork(this.hostId, net);
      } catch (e) {
        await this.#api.deleteBridge(this.hostId, net.bridge).catch(() => {});
        throw e;
      }
    });
    if (done) await this.select(net.name);
    return done;
  }

  action(name: string, action: NetworkAction, detach = false): Promise<boolean> {
    return this.#change(() => this.#api.networkAction(this.hostId, name, action, detach));
  }

  remove(name: string, detach: boolean): Promise<boolean> {
    return this.#change(() => this.#api.deleteNetwork(this.hostId, name, detach));
  }

  setIp(name: string, ip: NetworkIp, v6: boolean): Promise<boolean> {
    return this.#change(async () => {
      const outcome = await this.#api.setNetworkIp(this.hostId, name, ip, v6);
      if (outcome.applied === 'next_boot') this.notice = outcome.reason ?? '';
    });
  }

  addHost(name: string, host: DhcpHost): Promise<boolean> {
    return this.#change(() => this.#api.addDhcpHost(this.hostId, name, host));
  }

  removeHost(name: string, ip: string): Promise<boolean> {
    return this.#change(() => this.#api.removeDhcpHost(this.hostId, name, ip));
  }
}
