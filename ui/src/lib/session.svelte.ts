// The app's live state: hosts, the selected host's VMs, actions in flight, errors and the
// change history.
// It wires the backend (events, actions) to the pure functions in hosts.ts and vms.ts;
// components read its fields and call its methods. Nothing here runs on a timer: the core
// pushes what changes (lifecycle events, host status, the figures of running VMs every ~2 s)
// and the VM list is read in full only when the set of VMs may have changed. The VMs' tags
// and addresses are read for the whole host in one call each, with every list; addresses
// again shortly after lifecycle events (and, while the VM list is on screen, on the panel's
// timer: leases come and go without events).
import { SvelteMap } from 'svelte/reactivity';
import type { Accel } from '../bindings/Accel';
import type { BatchAction } from '../bindings/BatchAction';
import type { BatchItem } from '../bindings/BatchItem';
import type { ErrorPayload } from '../bindings/ErrorPayload';
import type { HistoryEntry } from '../bindings/HistoryEntry';
import type { HostEvent } from '../bindings/HostEvent';
import type { HostSummary } from '../bindings/HostSummary';
import type { HostTarget } from '../bindings/HostTarget';
import type { NewVm } from '../bindings/NewVm';
import type { PromptAnswer } from '../bindings/PromptAnswer';
import type { TaskSummary } from '../bindings/TaskSummary';
import type { VmAction } from '../bindings/VmAction';
import type { VmAddresses } from '../bindings/VmAddresses';
import type { VmSummary } from '../bindings/VmSummary';
import type { Api } from './api';
import { toErrorPayload } from './errors';
import { markFirstRows } from './first-paint';
import { HISTORY_LIMIT } from './history';
import { applyHostStatus, isLive, sortHosts, type HostStatusEvent } from './hosts';
import { getLocale } from './i18n';
import { TaskStore } from './task-store.svelte';
import { VmEntry } from './vm-entry.svelte';
import { sameList, type LifecycleEvent, type StatsEvent } from './vms';

/**
 * How long after a lifecycle event of the selected host its addresses are read again: a
 * burst of events (a batch start) makes one call.
 */
export const ADDRESS_DEBOUNCE_MS = 1000;
/**
 * How often the VM list re-reads the addresses while the host has running VMs: a guest gets
 * its lease, or its agent starts, some seconds after the VM does, and no event says so.
 */
export const ADDRESS_POLL_MS = 10_000;

const NO_TAGS: Readonly<Record<string, readonly string[]>> = {};
const NO_ADDRESSES: ReadonlyMap<string, VmAddresses> = new Map();

/** Older error banners are dropped beyond this many so a flapping host cannot flood the screen. */
const MAX_ERRORS = 4;

/**
 * What the main panel shows: the selected host's VMs, its storage pools, its ISO library,
 * or the history of changes on all hosts.
 */
export type View = 'vms' | 'storage' | 'isos' | 'networks' | 'ippools' | 'history';

export interface ShownError {
  id: number;
  error: ErrorPayload;
}

/** An event about the selected host's VMs, kept while a list call runs to re-apply to its answer. */
type VmEvent = LifecycleEvent | StatsEvent;

export class Session {
  hosts = $state<HostSummary[]>([]);
  hostsLoading = $state(true);
  hostsError = $state<ErrorPayload | null>(null);
  selectedId = $state<string | null>(null);
  /**
   * The UUIDs of the selected host's VMs in the backend's order (views sort them); null while
   * the first list loads. A new array only when the set changes (a re-list that differs, a VM
   * undefined): figures and states change inside the entries, not here.
   */
  vmIds = $state.raw<readonly string[] | null>(null);
  /** The entries for `vmIds`, same order. Depends on `vmIds` alone, not on any VM's cells. */
  vms = $derived(this.vmIds === null ? null : this.vmIds.map((id) => this.#entries.get(id)!));
  /** The last refresh failed; rows shown (if any) are from before. */
  vmsError = $state<ErrorPayload | null>(null);
  /** Action in flight per VM, keyed by `busyKey`. */
  busy = new SvelteMap<string, VmAction>();
  errors = $state<ShownError[]>([]);
  view = $state<View>('vms');
  /** Counts the selected host's network events: the Networks page reads its list again on each. */
  networkChanges = $state(0);
  /** Newest first; null until the first load answers, and again once the view is left. */
  history = $state<HistoryEntry[] | null>(null);
  historyLoading = $state(false);
  /** The last history load failed; entries shown (if any) are from before. */
  historyError = $state<ErrorPayload | null>(null);

  /**
   * The selected host's VMs' tags, by UUID (a VM without tags is absent); read with each
   * list. Unchanged tags keep their arrays, so rows and the index see no change.
   */
  tags = $state.raw<Readonly<Record<string, readonly string[]>>>(NO_TAGS);
  /** The addresses of the selected host's running VMs, by UUID; unchanged ones keep their objects. */
  addresses = $state.raw<ReadonlyMap<string, VmAddresses>>(NO_ADDRESSES);

  selectedHost = $derived(this.hosts.find((h) => h.id === this.selectedId) ?? null);
  /** Long work on every host (uploads, VM creation, ...), kept across views. */
  tasks: TaskStore;

  /** Whether the rows shown were listed while the host was connected, with no disconnect since. */
  #vmsLive = $state(false);

  /**
   * The rows are only what was last seen: the host is not connected (so no events keep them
   * current), or it has not been listed since it came back. Their states are unknown and no
   * action applies to them.
   */
  vmsStale = $derived(this.selectedHost === null || !isLive(this.selectedHost) || !this.#vmsLive);

  #api: Api;
  /** One entry per VM of the selected host, by UUID; kept across re-lists so rows keep theirs. */
  #entries = new Map<string, VmEntry>();
  #nextErrorId = 1;
  /** Numbers VM list requests; only the answer to the newest one is shown. */
  #listSeq = 0;
  /** The newest VM list request while it runs, and the events seen meanwhile (re-applied to its answer). */
  #listing: { hostId: string; seq: number } | null = null;
  #eventsDuringList: VmEvent[] = [];
  #relistQueued = false;
  /**
   * UUIDs a `vm_stats` push named that no entry has, with the newest list request made when
   * first seen: a list requested after that settles whether the list knows them.
   */
  #unknownSeen = new Map<string, number>();
  /**
   * UUIDs pushed but missing from a list requested after they were first seen: they no longer
   * trigger re-lists (a VM the list leaves out would otherwise re-list on every push) until
   * the set of VMs changes.
   */
  #unlisted = new Set<string>();
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
  /** Numbers `vm_stats` pushes, to find the VMs a push left out without building a set. */
  #pushSeq = 0;
  /** Number tag and address loads: only the newest answer, for the host still selected, is taken. */
  #tagLoad = 0;
  #addressLoad = 0;
  /** The pending address read after lifecycle events. */
  #addressTimer: ReturnType<typeof setTimeout> | null = null;
  /** The first host selected, whose first painted rows are the start-up mark; null once marked. */
  #firstHost: string | null | undefined = undefined;

  constructor(api: Api) {
    this.#api = api;
    this.tasks = new TaskStore(api);
  }

  /** The backend, for pages that call it for the selected host (storage, the wizard). */
  get api(): Api {
    return this.#api;
  }

  /**
   * Subscribes to events, then loads hosts (so nothing that happens after the list was read
   * can be missed); returns the cleanup.
   */
  start(): () => void {
    let stopped = false;
    let unlisten: (() => void) | undefined;
    this.#api
      .onHostEvent((ev) => {
        if (!stopped) this.handleEvent(ev);
      })
      .then((fn) => (stopped ? fn() : (unlisten = fn)))
      .catch((e) => this.pushError(toErrorPayload(e)))
      .finally(() => {
        if (stopped) return;
        void this.loadHosts();
        void this.tasks.load();
      });
    return () => {
      stopped = true;
      unlisten?.();
      this.#cancelAddressRead();
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
        this.#statusDuringLoad = [];
      }
    }
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
      this.#relistForChange();
    }
  }

  select(hostId: string | null): void {
    if (hostId === this.selectedId) return;
    this.selectedId = hostId;
    if (hostId !== null && this.#firstHost === undefined) this.#firstHost = hostId;
    this.#entries = new Map();
    this.vmIds = null;
    this.vmsError = null;
    this.#vmsLive = false;
    this.#unknownSeen.clear();
    this.#unlisted.clear();
    // Another host's tags and addresses are not this one's; answers still travelling are dropped.
    this.tags = NO_TAGS;
    this.addresses = NO_ADDRESSES;
    this.#tagLoad++;
    this.#addressLoad++;
    this.#cancelAddressRead();
    void this.refresh(true);
  }

  /**
   * Lists the selected host's VMs in full. One list call runs at a time for a host: a request
   * made meanwhile runs once the current one ends if it must see fresh data (`queue`), and is
   * dropped otherwise (an unknown UUID in a push: the list under way is asked anyway). Each
   * call is tagged with its host and a sequence number; an answer for a host no longer
   * selected, or to a request that a newer one has replaced (the user switched away and
   * back), is dropped.
   */
  async refresh(queue = true): Promise<void> {
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
      this.#setVms(fresh);
      // The answer may predate events that arrived while it travelled; those win.
      for (const ev of this.#eventsDuringList) this.#applyVmEvent(ev, true);
      this.vmsError = null;
      // The set of VMs may have changed: their tags and addresses with it.
      void this.loadTags();
      void this.loadAddresses();
      this.#vmsLive = wasLive && epoch === this.#liveEpoch && this.selectedHost !== null && isLive(this.selectedHost);
    } catch (e) {
      if (this.#isNewestList(hostId, seq)) this.vmsError = toErrorPayload(e);
    } finally {
      if (this.#listing?.seq === seq) {
        this.#listing = null;
        this.#eventsDuringList = [];
        this.#settleUnknown(seq);
        if (this.#relistQueued && hostId === this.selectedId) void this.refresh(true);
      }
    }
  }

  #isNewestList(hostId: string, seq: number): boolean {
    return hostId === this.selectedId && seq === this.#listSeq;
  }

  /**
   * Takes a list answer: entries of VMs still there are updated in place (only what changed
   * notifies), new ones added, gone ones dropped; `vmIds` changes only if the set or order did.
   */
  #setVms(fresh: readonly VmSummary[]): void {
    const entries = new Map<string, VmEntry>();
    const ids: string[] = [];
    for (const vm of fresh) {
      if (entries.has(vm.uuid)) continue;
      let entry = this.#entries.get(vm.uuid);
      if (entry) entry.update(vm);
      else entry = new VmEntry(vm);
      entries.set(vm.uuid, entry);
      ids.push(vm.uuid);
    }
    this.#entries = entries;
    const before = this.vmIds;
    if (before === null || before.length !== ids.length || before.some((id, i) => id !== ids[i])) this.vmIds = ids;
  }

  /** After list `seq` ended: pushed UUIDs it now knows are settled, and so are those it left out though asked after them. */
  #settleUnknown(seq: number): void {
    for (const [uuid, seenAt] of this.#unknownSeen) {
      if (this.#entries.has(uuid)) {
        this.#unknownSeen.delete(uuid);
      } else if (seq > seenAt) {
        this.#unknownSeen.delete(uuid);
        this.#unlisted.add(uuid);
      }
    }
  }

  /** The set of VMs may have changed: re-list, after the list under way if there is one. */
  #relistForChange(): void {
    this.#unlisted.clear();
    void this.refresh(true);
  }

  handleEvent(ev: HostEvent): void {
    switch (ev.kind) {
      case 'host_status': {
        if (this.#hostsPending) this.#statusDuringLoad.push(ev);
        const { hosts, known } = applyHostStatus(this.hosts, ev);
        this.#setHosts(hosts);
        if (!known) void this.loadHosts();
        return;
      }
      case 'resync':
        // Missed events may include status changes: read the hosts again, and the VMs of the
        // selected host if it is concerned.
        void this.loadHosts();
        if (ev.host_id === null || ev.host_id === this.selectedId) {
          this.#relistForChange();
          this.networkChanges++;
        }
        return;
      case 'vm_lifecycle':
      case 'vm_stats':
        if (ev.host_id !== this.selectedId) return;
        if (this.#listing?.hostId === ev.host_id) this.#rememberDuringList(ev);
        this.#applyVmEvent(ev, false);
        // A VM that started or stopped gains or loses addresses.
        if (ev.kind === 'vm_lifecycle') this.#readAddressesSoon();
        return;
      case 'network_lifecycle':
        if (ev.host_id === this.selectedId) this.networkChanges++;
        return;
      case 'task':
        this.tasks.apply(ev.task);
        // A task that ended was recorded in history.
        if (ev.task.state !== 'running') this.#historyChanged();
        return;
    }
  }

  /** Keeps an event for the answer of the list under way; only the newest push matters (it has every running VM). */
  #rememberDuringList(ev: VmEvent): void {
    if (ev.kind === 'vm_stats') this.#eventsDuringList = this.#eventsDuringList.filter((e) => e.kind !== 'vm_stats');
    this.#eventsDuringList.push(ev);
  }

  /** Applies an event to the entries; `replay`: re-applied to a list answer, re-lists already asked for. */
  #applyVmEvent(ev: VmEvent, replay: boolean): void {
    if (ev.kind === 'vm_lifecycle') this.#applyLifecycle(ev, replay);
    else this.#applyStats(ev, replay);
  }

  #applyLifecycle(ev: LifecycleEvent, replay: boolean): void {
    // Before the first list answers there is nothing to update: the list brings it all.
    if (this.vmIds === null) return;
    if (ev.event === 'undefined') {
      // Gone from the list now; the re-list catches a transient VM that keeps running.
      if (this.#entries.delete(ev.uuid)) this.vmIds = this.vmIds.filter((id) => id !== ev.uuid);
      if (!replay) this.#relistForChange();
      return;
    }
    const entry = this.#entries.get(ev.uuid);
    if (ev.state === null || entry === undefined) {
      // The event does not fix the state (e.g. `defined`: the set or a definition changed),
      // or the VM is new: the list brings the complete row.
      if (!replay) this.#relistForChange();
      return;
    }
    entry.setState(ev.state, ev.name);
  }

  /**
   * The figures of the host's running VMs. A VM the push leaves out keeps its state (a
   * lifecycle event says when it stops) but its figures are unknown until the next push.
   * A UUID the UI does not know means the set changed: one re-list, however many pushes
   * name it while that list is under way.
   */
  #applyStats(ev: StatsEvent, replay: boolean): void {
    const seq = ++this.#pushSeq;
    let unknown = false;
    for (const stats of ev.vms) {
      const entry = this.#entries.get(stats.uuid);
      if (entry !== undefined) {
        entry.setStats(stats);
        entry.pushSeq = seq;
      } else if (!replay && this.#noteUnknown(stats.uuid)) {
        unknown = true;
      }
    }
    // A replayed push is older than the list it is applied to: it may only add figures.
    if (!replay) for (const entry of this.#entries.values()) if (entry.pushSeq !== seq) entry.clearFigures();
    if (unknown) void this.refresh(false);
  }

  /** Whether a pushed UUID without an entry should re-list. */
  #noteUnknown(uuid: string): boolean {
    if (this.#unlisted.has(uuid)) return false;
    if (!this.#unknownSeen.has(uuid)) this.#unknownSeen.set(uuid, this.#listSeq);
    return true;
  }

  /**
   * Reads the selected host's VMs' tags, for the whole host in one call. A failure keeps the
   * tags shown: the list's own banner already tells of a host that does not answer, and tags
   * are not worth one more.
   */
  async loadTags(): Promise<void> {
    const hostId = this.selectedId;
    if (hostId === null) return;
    const load = ++this.#tagLoad;
    try {
      const fresh = await this.#api.vmTags(hostId);
      if (load !== this.#tagLoad || hostId !== this.selectedId) return;
      this.tags = keepSameTags(this.tags, fresh);
    } catch {
      // Kept as they were (see above).
    }
  }

  /**
   * Reads the addresses of the selected host's running VMs, in one call. A failure keeps those
   * shown, quietly: this runs on a timer, and a banner every 10 s would bury the others.
   */
  async loadAddresses(): Promise<void> {
    const hostId = this.selectedId;
    if (hostId === null) return;
    const load = ++this.#addressLoad;
    try {
      const fresh = await this.#api.vmAddresses(hostId);
      if (load !== this.#addressLoad || hostId !== this.selectedId) return;
      this.addresses = keepSameAddresses(this.addresses, fresh);
    } catch {
      // Kept as they were (see above).
    }
  }

  /** One address read a moment after the last of a burst of lifecycle events. */
  #readAddressesSoon(): void {
    this.#cancelAddressRead();
    this.#addressTimer = setTimeout(() => {
      this.#addressTimer = null;
      void this.loadAddresses();
    }, ADDRESS_DEBOUNCE_MS);
  }

  #cancelAddressRead(): void {
    if (this.#addressTimer !== null) clearTimeout(this.#addressTimer);
    this.#addressTimer = null;
  }

  /**
   * The VM table has painted the rows of `hostId` (or said it has none). The first time that
   * happens for the first host selected, the start-up is marked for measurement.
   */
  rowsPainted(hostId: string): void {
    if (this.#firstHost !== hostId) return;
    this.#firstHost = null;
    markFirstRows(this.#api);
  }

  busyAction(uuid: string): VmAction | undefined {
    return this.selectedId === null ? undefined : this.busy.get(busyKey(this.selectedId, uuid));
  }

  /**
   * Runs a lifecycle action on the VM with this UUID on the selected host (none while the rows
   * are stale). Its lifecycle event reports the change; nothing is re-listed for it.
   */
  async act(uuid: string, action: VmAction): Promise<void> {
    const hostId = this.selectedId;
    if (hostId === null || this.vmsStale) return;
    const key = busyKey(hostId, uuid);
    if (this.busy.has(key)) return;
    this.busy.set(key, action);
    try {
      await this.#api.vmAction(hostId, uuid, action);
    } catch (e) {
      this.pushError(toErrorPayload(e));
    } finally {
      this.busy.delete(key);
      this.#historyChanged();
    }
  }

  /**
   * Runs one action on each of these VMs of the selected host (the core does a few at a time)
   * and answers each one's outcome; null when the batch could not run at all (that error goes
   * to the banners). Lifecycle events then report the changes, and deletions run as tasks, as
   * for one VM.
   */
  async batch(uuids: readonly string[], action: BatchAction): Promise<BatchItem[] | null> {
    const hostId = this.selectedId;
    if (hostId === null || this.vmsStale || uuids.length === 0) return null;
    try {
      return await this.#api.batchVms(hostId, [...uuids], action);
    } catch (e) {
      this.pushError(toErrorPayload(e));
      return null;
    } finally {
      this.#historyChanged();
    }
  }

  /**
   * Starts making a VM on the host from the wizard's form; its task shows in the task list.
   * A refusal (the host's limits, a name in use) is left to the wizard to show.
   */
  async createVm(hostId: string, vm: NewVm): Promise<TaskSummary> {
    try {
      const task = await this.#api.createVm(hostId, vm);
      this.tasks.apply(task);
      return task;
    } catch (e) {
      throw toErrorPayload(e);
    } finally {
      this.#historyChanged();
    }
  }

  /** Deletes the VM with this UUID on the selected host, its disks too when asked, as a task. */
  async deleteVm(uuid: string, removeStorage: boolean): Promise<void> {
    const hostId = this.selectedId;
    if (hostId === null || this.vmsStale) return;
    try {
      this.tasks.apply(await this.#api.deleteVm(hostId, uuid, removeStorage));
    } catch (e) {
      this.pushError(toErrorPayload(e));
    }
    this.#historyChanged();
  }

  /** Saves the host's acceleration setting, then shows the saved value (hosts are not re-read for it). */
  async setAccel(hostId: string, accel: Accel): Promise<void> {
    try {
      await this.#api.setHostAccel(hostId, accel);
      this.hosts = this.hosts.map((h) => (h.id === hostId ? { ...h, accel } : h));
    } catch (e) {
      this.pushError(toErrorPayload(e));
    }
    this.#historyChanged();
  }

  /**
   * Saves a new host and selects it. Rejections (a bad name or target) are left to the
   * caller, the host dialog, which shows them next to the fields.
   */
  async addHost(name: string, target: HostTarget): Promise<HostSummary> {
    const added = await this.#save(() => this.#api.addHost(name, target));
    this.select(added.id);
    return added;
  }

  /**
   * Renames a host or changes how it is reached; it reconnects with the new settings (its
   * status events follow). Rejections are left to the caller, as for `addHost`.
   */
  async editHost(hostId: string, name: string, target: HostTarget): Promise<HostSummary> {
    return this.#save(() => this.#api.editHost(hostId, name, target));
  }

  /** Runs an add or edit, then shows the hosts as they are now. */
  async #save(call: () => Promise<HostSummary>): Promise<HostSummary> {
    let saved: HostSummary;
    try {
      saved = await call();
    } finally {
      // Failed attempts are recorded too.
      this.#historyChanged();
    }
    await this.loadHosts();
    // Should the re-list have failed, the host is still shown as saved: the backend has it.
    if (this.hostsError !== null || !this.hosts.some((h) => h.id === saved.id)) {
      this.#setHosts([...this.hosts.filter((h) => h.id !== saved.id), saved]);
    }
    return saved;
  }

  /** Connects the host now (after a disconnect, a refused key, a cancelled sign-in); its status events follow. */
  async connectHost(hostId: string): Promise<void> {
    await this.#hostCall(() => this.#api.connectHost(hostId));
  }

  /** Stops watching the host until it is connected again; its VMs are not touched. */
  async disconnectHost(hostId: string): Promise<void> {
    await this.#hostCall(() => this.#api.disconnectHost(hostId));
  }

  /** A host command whose outcome arrives as events: only a refusal is shown, in the banners. */
  async #hostCall(call: () => Promise<void>): Promise<void> {
    try {
      await call();
    } catch (e) {
      this.pushError(toErrorPayload(e));
    }
    this.#historyChanged();
  }

  /**
   * Answers what the host asks before it can connect. A refusal (a fingerprint that is not
   * the one asked about) is rethrown for the prompt dialog to show beside the question.
   */
  async answerPrompt(hostId: string, answer: PromptAnswer): Promise<void> {
    const asked = this.hosts.find((h) => h.id === hostId)?.prompt ?? null;
    try {
      await this.#api.answerPrompt(hostId, answer);
    } catch (e) {
      throw toErrorPayload(e);
    } finally {
      this.#historyChanged();
    }
    // Answered: the question goes now. The core sends no event when the user gives up
    // (refuse, cancel), and otherwise its next status may come after this reply. A newer
    // question that arrived first (a new object) is left standing.
    if (asked === null) return;
    this.hosts = this.hosts.map((h) => (h.id === hostId && h.prompt === asked ? { ...h, prompt: null } : h));
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

  /** Opens the selected host's storage pools, its ISO library, its networks or its IP pools. */
  showHostPage(view: 'storage' | 'isos' | 'networks' | 'ippools'): void {
    this.showVms();
    this.view = view;
  }

  showVms(): void {
    if (this.view === 'vms') return;
    this.view = 'vms';
    // Not shown any more: drop the entries (read afresh when the view opens again) and the
    // answer of a load under way.
    this.#historyLoad++;
    this.history = null;
    this.historyError = null;
    this.historyLoading = false;
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

/**
 * The fresh tags, with the arrays (and the whole record) of the old ones where nothing
 * changed: a re-read that finds the same tags re-renders and re-indexes nothing.
 */
function keepSameTags(
  old: Readonly<Record<string, readonly string[]>>,
  fresh: Record<string, string[]>,
): Readonly<Record<string, readonly string[]>> {
  const out: Record<string, readonly string[]> = {};
  let changed = Object.keys(old).length !== Object.keys(fresh).length;
  for (const [uuid, tags] of Object.entries(fresh)) {
    const before = old[uuid];
    if (before !== undefined && sameList(before, tags)) out[uuid] = before;
    else {
      out[uuid] = tags;
      changed = true;
    }
  }
  return changed ? out : old;
}

/** As `keepSameTags`, for addresses: each VM's unchanged entry keeps its object. */
function keepSameAddresses(old: ReadonlyMap<string, VmAddresses>, fresh: VmAddresses[]): ReadonlyMap<string, VmAddresses> {
  const out = new Map<string, VmAddresses>();
  let changed = old.size !== fresh.length;
  for (const entry of fresh) {
    const before = old.get(entry.uuid);
    if (before !== undefined && before.source === entry.source && sameList(before.addresses, entry.addresses)) {
      out.set(entry.uuid, before);
    } else {
      out.set(entry.uuid, entry);
      changed = true;
    }
  }
  return changed ? out : old;
}

export function busyKey(hostId: string, uuid: string): string {
  return `${hostId}\u0000${uuid}`;
}
