// The IP pools page's state for one host: the pools with their usage, the chosen one's
// addresses and conflicts, and the changes made on them. A refusal is kept to show
// beside the form it came from (a taken address names its holder).
import type { ErrorPayload } from '../bindings/ErrorPayload';
import type { Hold } from '../bindings/Hold';
import type { IpPoolDetail } from '../bindings/IpPoolDetail';
import type { IpPoolSummary } from '../bindings/IpPoolSummary';
import type { NewIpPool } from '../bindings/NewIpPool';
import { toErrorPayload } from '../lib/errors';
import type { IpPoolApi } from './ip-pool-api';

export class IpPoolsState {
  pools = $state<IpPoolSummary[] | null>(null);
  loadError = $state<ErrorPayload | null>(null);
  selected = $state<string | null>(null);
  detail = $state<IpPoolDetail | null>(null);
  /** The last change refused. */
  actionError = $state<ErrorPayload | null>(null);
  /** The address the last allocation gave. */
  given = $state<string | null>(null);
  busy = $state(false);

  #api: IpPoolApi;
  readonly hostId: string;
  #load = 0;

  constructor(api: IpPoolApi, hostId: string) {
    this.#api = api;
    this.hostId = hostId;
  }

  async load(): Promise<void> {
    const load = ++this.#load;
    try {
      const pools = await this.#api.listIpPools(this.hostId);
      if (load !== this.#load) return;
      this.pools = pools;
      this.loadError = null;
      if (!pools.some((p) => p.name === this.selected)) this.selected = pools[0]?.name ?? null;
    } catch (e) {
      if (load === this.#load) this.loadError = toErrorPayload(e);
      return;
    }
    await this.loadDetail();
  }

  async select(name: string): Promise<void> {
    this.selected = name;
    this.detail = null;
    await this.loadDetail();
  }

  async loadDetail(): Promise<void> {
    const name = this.selected;
    if (name === null) {
      this.detail = null;
      return;
    }
    try {
      const d = await this.#api.ipPool(this.hostId, name);
      if (this.selected === name) this.detail = d;
    } catch (e) {
      if (this.selected === name) this.loadError = toErrorPayload(e);
    }
  }

  /** Runs a change; true when it was done. The list is read again either way. */
  async #change(call: () => Promise<unknown>): Promise<boolean> {
    this.busy = true;
    this.actionError = null;
    this.given = null;
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

  async create(pool: NewIpPool): Promise<boolean> {
    const done = await this.#change(() => this.#api.createIpPool(this.hostId, pool));
    if (done) await this.select(pool.name);
    return done;
  }

  remove(name: string, release: boolean): Promise<boolean> {
    return this.#change(() => this.#api.deleteIpPool(this.hostId, name, release));
  }

  allocate(pool: string, ip: string | null, hold: Hold): Promise<boolean> {
    return this.#change(async () => {
      this.given = (await this.#api.allocateIp(this.hostId, pool, ip, hold)).ip;
    });
  }

  assign(pool: string, vm: string, mac: string | null, ip: string | null): Promise<boolean> {
    return this.#change(async () => {
      this.given = (await this.#api.assignIp(this.hostId, pool, vm, mac, ip)).ip;
    });
  }

  release(pool: string, ip: string): Promise<boolean> {
    return this.#change(() => this.#api.releaseIp(this.hostId, pool, ip));
  }
}
