// The app's live state: hosts, the selected host's VMs, actions in flight, errors and the
// change history.
// It wires the backend (polling, events, actions) to the pure functions in hosts.ts and
// vms.ts; components read its fields and call its methods.
import type { Accel } from '../bindings/Accel';
import type { ErrorPayload } from '../bindings/ErrorPayload';
import type { HistoryEntry } from '../bindings/HistoryEntry';
import type { HostEvent } from '../bindings/HostEvent';
import type { HostSummary } from '../bindings/HostSummary';
import type { VmAction } from '../bindings/VmAction';
import type { VmSummary } from '../bindings/VmSummary';
import type { Api } from './api';
import { toErrorPayload } from './errors';
import { HISTORY_LIMIT } from './history';
import { applyHostStatus, isLive, sortHosts, type HostStatusEvent } from './hosts';
import { getLocale } from './i18n';
import { applyLifecycle, type LifecycleEvent } from './vms';

/** How often the selected host's figures are refreshed (the backend computes CPU % between samples). */
export const POLL_MS = 2000;

/** Older error banners are dropped beyond this many so a flapping host cannot flood the screen. */
const MAX_ERRORS = 4;

/** What the main panel shows: the selected host's VMs, or the history of changes on all hosts. */
export type View = 'vms' | 'history';

export interface ShownError {
  id: number;
  error: ErrorPayload;
}

export class Session {
  hosts = $state<HostSummary[]>([]);
  hostsLoading = $state(true);
  hostsError = $state<ErrorPayload | null>(null);
  selectedId = $state<string | null>(null);
  /** The selected host's VMs in the backend's order (views sort them); null while the first list loads. */
  vms = $state<VmSummary[] | null>(null);
  /** The last refresh failed; rows shown (if any) are from before. */
  vmsError = $state<ErrorPayload | null>(null);
  /** Action in flight per VM, keyed by `busyKey`. */
  busy = $state<Record<string, VmAction>>({});
  errors = $state<ShownError[]>([]);
  view = $state<View>('vms');
  /** Newest first; null until the first load answers. */
  history = $state<HistoryEntry[] | null>(null);
  historyLoading = $state(false);
  /** The last history load failed; entries shown (if any) are from before. */
  historyError = $state<ErrorPayload | null>(null);

  selectedHost = $derived(this.hosts.find((h) => h.id === this.selectedId) ?? null);

  /** Whether the rows shown were listed while the host was connected, with no disconnect since. */
  #vmsLive = $state(false);

  /**
   * The rows are only what was last seen: the host is not connected (so no events keep them
   * current), or it has not been listed since it came back. Their states are unknown and no
   * action applies to them.
   */
  vmsStale = $derived(this.selectedHost === null || !isLive(this.selectedHost) || !this.#vmsLive);

  #api: Api;
  #nextErrorId = 1;
  /** Numbers VM list requests; only the answer to the newest one is shown. */
  #listSeq = 0;
  /** The newest VM list request while it runs, and the events seen meanwhile (re-applied to its answer). */
  #listing: { hostId: string; seq: number } | null = null;
  #eventsDuringList: LifecycleEvent[] = [];
  #relistQueued = false;
  /**
   * Bumped when the selected host stops being connected: a list requested before then
   * cannot show the current state, whenever it answers.
   */
  #liveEpoch = 0;
  /** Numbers host list loads so only the newest answer is shown. */
  #hostLoad = 0;
  #hostsPending = false;
  /** Status events seen while the newest host list load runs (re-applied to its answer). */
  #statusDuringLoad: HostStatusEvent[] = [];
  /** Numbers history loads so only the newest answer is shown. */
  #historyLoad = 0;

  constructor(api: Api) {
    this.#api = api;
  }

  /** Loads hosts, subscribes to events and starts polling; returns the cleanup. */
  start(): () => void {
    let stopped = false;
    let unlisten: (() => void) | undefined;
    this.#api
      .onHostEvent((ev) => this.handleEvent(ev))
      .then((fn) => (stopped ? fn() : (unlisten = fn)))
      .catch((e) => this.pushError(toErrorPayload(e)));
    void this.loadHosts();
    const timer = setInterval(() => void this.refresh(false), POLL_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
      unlisten?.();
    };
  }

  /** Lists the hosts afresh; the newest answer wins, with status events that arrived meanwhile applied on top. */
  async loadHosts(): Promise<void> {
    const load = ++this.#hostLoad;
    this.#hostsPending = true;
    this.#statusDuringLoad = [];
    try {
      let hosts = await this.#api.listHosts();
      if (load !== this.#hostLoad) return;
      for (const ev of this.#statusDuringLoad) hosts = applyHostStatus(hosts, ev).hosts;
      this.#setHosts(hosts);
      this.hostsError = null;
      const stillThere = this.hosts.some((h) => h.id === this.selectedId);
      if (!stillThere) this.select(this.#firstHostId());
    } catch (e) {
      if (load === this.#hostLoad) this.hostsError = toErrorPayload(e);
    } finally {
      if (load === this.#hostLoad) {
        this.hostsLoading = false;
        this.#hostsPending = false;
      }
    }
  }

  /** Re-reads host status unless a host list load is already on its way. */
  #syncHosts(): void {
    if (!this.#hostsPending) void this.loadHosts();
  }

  /** The host shown first in the sidebar. */
  #firstHostId(): string | null {
    return sortHosts(this.hosts, getLocale())[0]?.id ?? null;
  }

  /**
   * Replaces the host list, following the selected host's connection: leaving `connected`
   * makes the rows stale, coming back re-lists them.
   */
  #setHosts(hosts: HostSummary[]): void {
    const before = this.selectedHost;
    this.hosts = hosts;
    const after = this.selectedHost;
    const wasLive = before !== null && isLive(before);
    const nowLive = after !== null && isLive(after);
    if (!nowLive) {
      if (wasLive) this.#liveEpoch++;
      this.#vmsLive = false;
    } else if (!wasLive) {
      void this.refresh(true);
    }
  }

  select(hostId: string | null): void {
    if (hostId === this.selectedId) return;
    this.selectedId = hostId;
    this.vms = null;
    this.vmsError = null;
    this.#vmsLive = false;
    void this.refresh(true);
  }

  /**
   * Fetches the selected host's VMs and re-reads every host's status. One list call runs
   * at a time for a host: poll ticks are skipped meanwhile, requests that must see fresh
   * data (`queue`) run once the current one ends. Each call is tagged with its host and a
   * sequence number; an answer for a host no longer selected, or to a request that a newer
   * one has replaced (the user switched away and back), is dropped.
   */
  async refresh(queue: boolean): Promise<void> {
    this.#syncHosts();
    const hostId = this.selectedId;
    if (hostId === null) return;
    if (this.#listing?.hostId === hostId) {
      if (queue) this.#relistQueued = true;
      return;
    }
    const seq = ++this.#listSeq;
    this.#listing = { hostId, seq };
    this.#eventsDuringList = [];
    this.#relistQueued = false;
    const epoch = this.#liveEpoch;
    const wasLive = this.selectedHost !== null && isLive(this.selectedHost);
    try {
      const fresh = await this.#api.listVms(hostId);
      if (!this.#isNewestList(hostId, seq)) return;
      // The answer may predate events that arrived while it travelled; those win.
      let vms = fresh;
      for (const ev of this.#eventsDuringList) vms = applyLifecycle(vms, ev).vms;
      this.vms = vms;
      this.vmsError = null;
      this.#vmsLive = wasLive && epoch === this.#liveEpoch && this.selectedHost !== null && isLive(this.selectedHost);
    } catch (e) {
      if (this.#isNewestList(hostId, seq)) this.vmsError = toErrorPayload(e);
    } finally {
      if (this.#listing?.seq === seq) {
        this.#listing = null;
        if (this.#relistQueued && hostId === this.selectedId) void this.refresh(true);
      }
    }
  }

  #isNewestList(hostId: string, seq: number): boolean {
    return hostId === this.selectedId && seq === this.#listSeq;
  }

  handleEvent(ev: HostEvent): void {
    if (ev.kind === 'host_status') {
      if (this.#hostsPending) this.#statusDuringLoad.push(ev);
      const { hosts, known } = applyHostStatus(this.hosts, ev);
      this.#setHosts(hosts);
      if (!known) void this.loadHosts();
      return;
    }
    if (ev.host_id !== this.selectedId) return;
    if (this.#listing?.hostId === ev.host_id) this.#eventsDuringList.push(ev);
    if (this.vms === null) return;
    const { vms, relist } = applyLifecycle(this.vms, ev);
    this.vms = vms;
    if (relist) void this.refresh(true);
  }

  busyAction(uuid: string): VmAction | undefined {
    return this.selectedId === null ? undefined : this.busy[busyKey(this.selectedId, uuid)];
  }

  /** Runs a lifecycle action on the VM with this UUID on the selected host (none while the rows are stale). */
  async act(uuid: string, action: VmAction): Promise<void> {
    const hostId = this.selectedId;
    if (hostId === null || this.vmsStale) return;
    const key = busyKey(hostId, uuid);
    if (this.busy[key]) return;
    this.busy[key] = action;
    try {
      await this.#api.vmAction(hostId, uuid, action);
      // Events normally report the change first; this also refreshes the figures.
      void this.refresh(true);
    } catch (e) {
      this.pushError(toErrorPayload(e));
    } finally {
      delete this.busy[key];
      this.#historyChanged();
    }
  }

  /** Saves the host's acceleration setting, then shows the saved value. */
  async setAccel(hostId: string, accel: Accel): Promise<void> {
    try {
      await this.#api.setHostAccel(hostId, accel);
    } catch (e) {
      this.pushError(toErrorPayload(e));
    }
    this.#historyChanged();
    await this.loadHosts();
  }

  /**
   * Saves a new host and selects it. Rejections (a bad name or URI) are left to the caller,
   * the add-host dialog, which shows them next to the fields.
   */
  async addHost(name: string, uri: string): Promise<HostSummary> {
    let added: HostSummary;
    try {
      added = await this.#api.addHost(name, uri);
    } finally {
      // Failed attempts are recorded too.
      this.#historyChanged();
    }
    await this.loadHosts();
    // Should the re-list have failed, the host is still shown: the backend has saved it.
    if (!this.hosts.some((h) => h.id === added.id)) this.#setHosts([...this.hosts, added]);
    this.select(added.id);
    return added;
  }

  /** Forgets a saved host, then shows the first one left. */
  async removeHost(hostId: string): Promise<void> {
    try {
      await this.#api.removeHost(hostId);
      // Gone even if the re-list below fails.
      this.#setHosts(this.hosts.filter((h) => h.id !== hostId));
    } catch (e) {
      this.pushError(toErrorPayload(e));
    }
    this.#historyChanged();
    await this.loadHosts();
    if (!this.hosts.some((h) => h.id === this.selectedId)) this.select(this.#firstHostId());
  }

  showVms(): void {
    this.view = 'vms';
  }

  /** Opens the history, fetching it afresh (the CLI records changes too, without events). */
  showHistory(): void {
    this.view = 'history';
    void this.loadHistory();
  }

  async loadHistory(): Promise<void> {
    const load = ++this.#historyLoad;
    this.historyLoading = true;
    try {
      const entries = await this.#api.listHistory(HISTORY_LIMIT);
      if (load !== this.#historyLoad) return;
      this.history = entries;
      this.historyError = null;
    } catch (e) {
      if (load === this.#historyLoad) this.historyError = toErrorPayload(e);
    } finally {
      if (load === this.#historyLoad) this.historyLoading = false;
    }
  }

  /** A change was just recorded: keep an open history current. */
  #historyChanged(): void {
    if (this.view === 'history') void this.loadHistory();
  }

  pushError(error: ErrorPayload): void {
    this.errors = [...this.errors, { id: this.#nextErrorId++, error }].slice(-MAX_ERRORS);
  }

  dismissError(id: number): void {
    this.errors = this.errors.filter((e) => e.id !== id);
  }
}

export function busyKey(hostId: string, name: string): string {
  return `${hostId}\u0000${name}`;
}
