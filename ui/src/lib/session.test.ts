import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { STATS_INTERVAL_MS } from '../bindings/rules';
import type { VmStats } from '../bindings/VmStats';
import { FakeApi } from './fake-api';
import { fakeDetail } from './fake-vm-config';
import { ADDRESS_DEBOUNCE_MS, Session } from './session.svelte';
import { host, sshSpec, sshTarget, uriTarget, vm, vmStats } from './testing';

let api: FakeApi;
let session: Session;
let stop: () => void;

/** Lets pending promise callbacks run. */
const settle = () => vi.advanceTimersByTimeAsync(0);

/** How often the core pushes figures; the UI itself has no period. */
const PUSH_MS = STATS_INTERVAL_MS;

beforeEach(async () => {
  vi.useFakeTimers();
  api = new FakeApi();
  api.hosts = [host({ id: '1' }), host({ id: '2', kind: 'local' })];
  api.vms = {
    '1': [vm({ name: 'web', state: 'running' }), vm({ name: 'db', state: 'shut_off' })],
    '2': [vm({ name: 'other' })],
  };
  session = new Session(api);
  stop = session.start();
  await settle();
});

afterEach(() => {
  stop();
  vi.useRealTimers();
});

describe('Session', () => {
  it('selects the first host and lists its VMs', () => {
    expect(session.selectedId).toBe('1');
    expect(session.vms?.map((v) => v.name)).toEqual(['web', 'db']);
    expect(session.vmsStale).toBe(false);
  });

  it('selects the first host in sidebar order, not the first listed', async () => {
    stop();
    api.hosts = [host({ id: '10', name: 'zeta' }), host({ id: '2', name: 'Alpha' })];
    session = new Session(api);
    stop = session.start();
    await settle();
    expect(session.selectedId).toBe('2');
  });

  it('calls nothing while the host is idle: no poll of VMs or hosts', async () => {
    const before = api.calls.length;
    await vi.advanceTimersByTimeAsync(PUSH_MS * 10);
    expect(api.calls.slice(before)).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('applies lifecycle events at once', () => {
    api.emit({ kind: 'vm_lifecycle', host_id: '1', uuid: 'uuid-db', name: 'db', event: 'started', state: 'running' });
    expect(session.vms?.find((v) => v.name === 'db')?.state).toBe('running');
  });

  it('ignores lifecycle events of other hosts', () => {
    api.emit({ kind: 'vm_lifecycle', host_id: '2', uuid: 'uuid-db', name: 'db', event: 'started', state: 'running' });
    expect(session.vms?.find((v) => v.name === 'db')?.state).toBe('shut_off');
  });

  it('re-lists for an unknown VM and drops undefined ones', async () => {
    api.vms['1'].push(vm({ name: 'new', state: 'shut_off' }));
    api.emit({ kind: 'vm_lifecycle', host_id: '1', uuid: 'uuid-new', name: 'new', event: 'defined', state: 'shut_off' });
    await settle();
    expect(session.vms?.map((v) => v.name)).toContain('new');
    api.emit({ kind: 'vm_lifecycle', host_id: '1', uuid: 'uuid-new', name: 'new', event: 'undefined', state: 'shut_off' });
    expect(session.vms?.map((v) => v.name)).not.toContain('new');
  });

  it('keeps an event that arrives while a list call is under way', async () => {
    // The list answer predates the event, which must win.
    void session.refresh(true);
    api.emit({ kind: 'vm_lifecycle', host_id: '1', uuid: 'uuid-web', name: 'web', event: 'suspended', state: 'paused' });
    await settle();
    expect(session.vms?.find((v) => v.name === 'web')?.state).toBe('paused');
  });

  it('updates host status and re-lists when the selected host reconnects', async () => {
    api.emit({ kind: 'host_status', host_id: '1', status: 'disconnected', error: 'lost', prompt: null, retrying: true });
    expect(session.hosts[0]).toMatchObject({ status: 'disconnected', error: 'lost' });
    const before = api.count('list_vms 1');
    api.emit({ kind: 'host_status', host_id: '1', status: 'connected', error: null, prompt: null, retrying: true });
    await settle();
    expect(session.hosts[0].status).toBe('connected');
    expect(api.count('list_vms 1')).toBe(before + 1);
  });

  it('re-lists hosts when an unknown host reports', async () => {
    api.hosts.push(host({ id: '3' }));
    api.emit({ kind: 'host_status', host_id: '3', status: 'connected', error: null, prompt: null, retrying: true });
    await settle();
    expect(session.hosts.map((h) => h.id)).toEqual(['1', '2', '3']);
  });

  it('switches hosts, showing loading until the new list arrives', async () => {
    session.select('2');
    expect(session.vms).toBeNull();
    await settle();
    expect(session.vms?.map((v) => v.name)).toEqual(['other']);
  });

  it('marks a VM busy during an action, leaving the change to its event', async () => {
    let open!: () => void;
    api.actionGate = new Promise((resolve) => (open = resolve));
    const done = session.act('uuid-web', 'shutdown');
    expect(session.busyAction('uuid-web')).toBe('shutdown');
    expect(session.busyAction('uuid-db')).toBeUndefined();
    const lists = api.count('list_vms 1');
    open();
    await done;
    await settle();
    expect(session.busyAction('uuid-web')).toBeUndefined();
    expect(api.calls).toContain('vm_action 1 web shutdown');
    expect(api.count('list_vms 1')).toBe(lists);
  });

  it('turns a failed action into a dismissible error', async () => {
    api.actionError = { code: 'invalid_state', message: "cannot start 'web': it is running", hint: null };
    await session.act('uuid-web', 'start');
    expect(session.errors).toHaveLength(1);
    expect(session.errors[0].error.code).toBe('invalid_state');
    session.dismissError(session.errors[0].id);
    expect(session.errors).toEqual([]);
  });

  it('keeps the rows but reports a failed refresh', async () => {
    api.listError = { code: 'disconnected', message: 'the connection was lost', hint: null };
    api.emit({ kind: 'resync', host_id: '1' });
    await settle();
    expect(session.vmsError?.code).toBe('disconnected');
    expect(session.vms).toHaveLength(2);
    expect(session.errors).toEqual([]);
  });

  it('saves a host\'s acceleration and shows the saved value', async () => {
    await session.setAccel('2', 'qemu');
    expect(api.calls).toContain('set_host_accel 2 qemu');
    expect(session.hosts.find((h) => h.id === '2')?.accel).toBe('qemu');
    expect(api.count('list_hosts')).toBe(1);
  });

  it('adds a host, re-lists hosts and selects the new one', async () => {
    const added = await session.addHost('lab', uriTarget('qemu+ssh://root@lab/system'));
    expect(added).toMatchObject({ name: 'lab', kind: 'remote', status: 'connecting' });
    expect(session.hosts.map((h) => h.id)).toEqual(['1', '2', added.id]);
    expect(session.selectedId).toBe(added.id);
    await settle();
    expect(api.calls).toContain(`list_vms ${added.id}`);
  });

  it('leaves a rejected host to the caller, changing nothing', async () => {
    const result = session.addHost('lab', uriTarget('system'));
    await expect(result).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringContaining("'system' has no scheme") });
    expect(session.hosts).toHaveLength(2);
    expect(session.selectedId).toBe('1');
    expect(session.errors).toEqual([]);
  });

  it('removes a host and selects the first one left', async () => {
    session.select('2');
    await settle();
    await session.removeHost('2');
    expect(api.calls).toContain('remove_host 2');
    expect(session.hosts.map((h) => h.id)).toEqual(['1']);
    expect(session.selectedId).toBe('1');
  });

  it('reports a failed removal in the error banners', async () => {
    await session.removeHost('9');
    expect(session.errors.map((e) => e.error.code)).toEqual(['host_not_found']);
    expect(session.hosts).toHaveLength(2);
    expect(session.selectedId).toBe('1');
  });

  it('ends with no selection when the last host goes', async () => {
    await session.removeHost('1');
    await session.removeHost('2');
    expect(session.hosts).toEqual([]);
    expect(session.selectedId).toBeNull();
    expect(session.selectedHost).toBeNull();
  });

  it('loads the newest 200 history entries when the history opens', async () => {
    api.history = [
      { id: 2, at_ms: 2000, actor: 'cli', host: 'h', action: 'start', target: 'web', ok: true, detail: null },
      { id: 1, at_ms: 1000, actor: 'app', host: 'h', action: 'destroy', target: 'db', ok: false, detail: 'boom' },
    ];
    expect(session.history).toBeNull();
    session.showHistory();
    expect(session.view).toBe('history');
    expect(session.historyLoading).toBe(true);
    await settle();
    expect(api.calls).toContain('list_history 200');
    expect(session.history?.map((e) => e.id)).toEqual([2, 1]);
    expect(session.historyLoading).toBe(false);
    session.showVms();
    expect(session.view).toBe('vms');
  });

  it('reloads an open history after each change, and only then', async () => {
    await session.act('uuid-web', 'shutdown');
    expect(api.count('list_history')).toBe(0);

    session.showHistory();
    await settle();
    expect(session.history?.[0]).toMatchObject({ action: 'shutdown', target: 'web', ok: true });

    api.actionError = { code: 'invalid_state', message: "cannot start 'web': it is running", hint: null };
    await session.act('uuid-web', 'start');
    await settle();
    expect(session.history?.[0]).toMatchObject({ action: 'start', ok: false, detail: "cannot start 'web': it is running" });

    await session.setAccel('2', 'kvm');
    await settle();
    expect(session.history?.[0]).toMatchObject({ action: 'set_accel', target: 'kvm' });

    await session.addHost('lab', uriTarget('qemu:///system')).catch(() => {});
    await settle();
    expect(session.history?.[0]).toMatchObject({ action: 'add_host', host: 'lab', ok: true });

    await session.removeHost('1');
    await settle();
    expect(session.history?.[0]).toMatchObject({ action: 'remove_host', host: 'host-1', ok: true });
    expect(session.view).toBe('history');
  });

  it('keeps the shown history but reports a failed reload', async () => {
    session.showHistory();
    await settle();
    api.historyError = { code: 'store', message: 'saved state: disk I/O error', hint: null };
    await session.loadHistory();
    expect(session.historyError?.code).toBe('store');
    expect(session.history).toEqual([]);
    api.historyError = null;
    await session.loadHistory();
    expect(session.historyError).toBeNull();
  });

  it('shows only the newest history answer', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    // The first load answers (with the older, empty list) only after the second one.
    const list = api.listHistory.bind(api);
    let calls = 0;
    api.listHistory = async (limit) => {
      const first = calls++ === 0;
      const answer = await list(limit);
      if (first) await gate;
      return answer;
    };
    session.showHistory();
    api.history = [{ id: 5, at_ms: 1, actor: 'app', host: 'h', action: 'start', target: 'web', ok: true, detail: null }];
    await session.loadHistory();
    open();
    await settle();
    expect(session.history?.map((e) => e.id)).toEqual([5]);
  });
});

/**
 * Makes the next VM list call for `hostId` answer only when the returned function is called
 * (with the data it read when called, as a slow backend would).
 */
function holdNextList(hostId: string): () => void {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const list = api.listVms.bind(api);
  let held = false;
  api.listVms = async (id) => {
    const hold = !held && id === hostId;
    if (hold) held = true;
    const answer = await list(id);
    if (hold) await gate;
    return answer;
  };
  return open;
}

/** A new session whose very first list call (host 1, at start) is held. */
async function restartHoldingFirstList(): Promise<() => void> {
  stop();
  const open = holdNextList('1');
  session = new Session(api);
  stop = session.start();
  await settle();
  return open;
}

const names = () => session.vms?.map((v) => v.name);

describe('Session list answers', () => {
  it('drops a list answer that comes back after the user switched hosts', async () => {
    const open = await restartHoldingFirstList();
    expect(session.selectedId).toBe('1');
    expect(session.vms).toBeNull();
    session.select('2');
    await settle();
    expect(names()).toEqual(['other']);
    open();
    await settle();
    expect(session.selectedId).toBe('2');
    expect(names()).toEqual(['other']);
  });

  it('drops an older answer for the same host once a newer request was made (switched away and back)', async () => {
    const open = await restartHoldingFirstList();
    session.select('2');
    await settle();
    api.vms['1'] = [vm({ name: 'newer' })];
    session.select('1');
    await settle();
    expect(names()).toEqual(['newer']);
    // The first request's answer (web, db) arrives last: it must not replace the newer list.
    open();
    await settle();
    expect(names()).toEqual(['newer']);
    expect(session.vmsError).toBeNull();
  });

  it('drops a late failure of a replaced request too', async () => {
    stop();
    let fail!: (e: unknown) => void;
    const list = api.listVms.bind(api);
    let first = true;
    api.listVms = (id) => {
      if (!first) return list(id);
      first = false;
      return new Promise((_, reject) => (fail = reject));
    };
    session = new Session(api);
    stop = session.start();
    await settle();
    session.select('2');
    await settle();
    fail({ code: 'timeout', message: 'slow', hint: null });
    await settle();
    expect(session.vmsError).toBeNull();
    expect(names()).toEqual(['other']);
  });
});

describe('Session host status', () => {
  it('re-reads host status on a resync (events were missed), and not by polling', async () => {
    api.hosts[1] = { ...api.hosts[1], status: 'disconnected', error: 'gone' };
    await vi.advanceTimersByTimeAsync(PUSH_MS * 3);
    expect(session.hosts.find((h) => h.id === '2')?.status).toBe('connected');
    api.emit({ kind: 'resync', host_id: null });
    await settle();
    expect(session.hosts.find((h) => h.id === '2')).toMatchObject({ status: 'disconnected', error: 'gone' });
    api.hosts[0] = { ...api.hosts[0], status: 'connected', error: 'connected, but live updates are off: x' };
    api.emit({ kind: 'resync', host_id: '2' });
    await settle();
    expect(session.hosts.find((h) => h.id === '1')?.error).toBe('connected, but live updates are off: x');
  });

  it('keeps a status event that arrives while the host list is read', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const listHosts = api.listHosts.bind(api);
    api.listHosts = async () => {
      const answer = await listHosts();
      await gate;
      return answer;
    };
    const load = session.loadHosts();
    api.emit({ kind: 'host_status', host_id: '2', status: 'disconnected', error: 'lost', prompt: null, retrying: true });
    open();
    await load;
    expect(session.hosts.find((h) => h.id === '2')).toMatchObject({ status: 'disconnected', error: 'lost' });
  });

  it('notices the selected host going down from a resync, and its coming back', async () => {
    api.hosts[0] = { ...api.hosts[0], status: 'disconnected', error: 'lost' };
    api.emit({ kind: 'resync', host_id: null });
    await settle();
    expect(session.vmsStale).toBe(true);
    api.hosts[0] = { ...api.hosts[0], status: 'connected', error: null };
    const lists = api.count('list_vms 1');
    api.emit({ kind: 'resync', host_id: null });
    await settle();
    expect(session.vmsStale).toBe(false);
    // The resync's own list, then the re-list that proves the rows current.
    expect(api.count('list_vms 1')).toBeGreaterThan(lists);
  });
});

describe('Session stale rows', () => {
  function disconnect() {
    api.hosts[0] = { ...api.hosts[0], status: 'disconnected', error: 'lost' };
    api.emit({ kind: 'host_status', host_id: '1', status: 'disconnected', error: 'lost', prompt: null, retrying: true });
  }

  function reconnect() {
    api.hosts[0] = { ...api.hosts[0], status: 'connected', error: null };
    api.emit({ kind: 'host_status', host_id: '1', status: 'connected', error: null, prompt: null, retrying: true });
  }

  it('marks the rows stale while the host is not connected, keeping them', () => {
    disconnect();
    expect(session.vmsStale).toBe(true);
    expect(names()).toEqual(['web', 'db']);
    api.emit({ kind: 'host_status', host_id: '1', status: 'connecting', error: null, prompt: null, retrying: true });
    expect(session.vmsStale).toBe(true);
  });

  it('runs no action on stale rows', async () => {
    disconnect();
    await session.act('uuid-db', 'start');
    expect(api.count('vm_action')).toBe(0);
    expect(session.busyAction('uuid-db')).toBeUndefined();
  });

  it('stays stale after reconnecting until the list is read again', async () => {
    disconnect();
    reconnect();
    expect(session.vmsStale).toBe(true);
    await settle();
    expect(session.vmsStale).toBe(false);
    await session.act('uuid-db', 'start');
    expect(api.calls).toContain('vm_action 1 db start');
  });

  it('does not trust a list requested before a disconnect, even if it answers after the reconnect', async () => {
    const open = holdNextList('1');
    void session.refresh(true);
    disconnect();
    reconnect();
    const lists = api.count('list_vms 1');
    const openRelist = holdNextList('1');
    open();
    await settle();
    // The held answer is applied but proves nothing; the re-list queued on reconnect does.
    expect(api.count('list_vms 1')).toBe(lists + 1);
    expect(session.vmsStale).toBe(true);
    openRelist();
    await settle();
    expect(session.vmsStale).toBe(false);
  });

  it('is not stale for a connected host that reports a warning', () => {
    api.emit({ kind: 'host_status', host_id: '1', status: 'connected', error: 'connected, but live updates are off: x', prompt: null, retrying: true });
    expect(session.vmsStale).toBe(false);
  });
});

describe('Session pushes', () => {
  const entry = (name: string) => session.vms?.find((v) => v.name === name);
  const stats = vmStats;
  const push = (host: string, vms: VmStats[]) => api.emit({ kind: 'vm_stats', host_id: host, vms });

  it('updates a state in place: same entry, same id list, no list call', () => {
    const lists = api.count('list_vms');
    const ids = session.vmIds;
    const db = entry('db')!;
    api.emit({ kind: 'vm_lifecycle', host_id: '1', uuid: 'uuid-db', name: 'db', event: 'started', state: 'running' });
    expect(entry('db')).toBe(db);
    expect(db.state).toBe('running');
    expect(session.vmIds).toBe(ids);
    expect(api.count('list_vms')).toBe(lists);
  });

  it('re-lists on `defined` (the set changed), keeping the entries of VMs still there', async () => {
    const web = entry('web');
    api.vms['1'].push(vm({ name: 'new', state: 'shut_off' }));
    const lists = api.count('list_vms 1');
    api.emit({ kind: 'vm_lifecycle', host_id: '1', uuid: 'uuid-new', name: 'new', event: 'defined', state: null });
    await settle();
    expect(api.count('list_vms 1')).toBe(lists + 1);
    expect(names()).toEqual(['web', 'db', 'new']);
    expect(entry('web')).toBe(web);
  });

  it('applies pushed figures in place, to the running VMs only, without listing', () => {
    const lists = api.count('list_vms');
    const db = entry('db')!.figures;
    push('1', [stats('web', { cpu_percent: 77, net_rx_bytes: 1234 }), stats('db', { cpu_percent: 99 })]);
    expect(entry('web')?.figures).toMatchObject({ cpu_percent: 77, net_rx_bytes: 1234 });
    // Stopped as far as the UI knows (its event says when it starts): a late sample is ignored.
    expect(entry('db')?.figures).toBe(db);
    expect(api.count('list_vms')).toBe(lists);
  });

  it('clears the figures of a running VM a push leaves out, keeping its state', () => {
    push('1', [stats('web')]);
    push('1', []);
    expect(entry('web')?.state).toBe('running');
    expect(entry('web')?.figures).toBeNull();
    push('1', [stats('web', { cpu_percent: 5 })]);
    expect(entry('web')?.figures?.cpu_percent).toBe(5);
  });

  it('ignores the pushes of other hosts', () => {
    const before = entry('web')?.figures;
    push('2', [stats('web', { cpu_percent: 1 })]);
    push('2', []);
    expect(entry('web')?.figures).toBe(before);
  });

  it('re-lists once for an unknown VM, however many pushes name it while the list is pending', async () => {
    api.vms['1'].push(vm({ name: 'fresh', state: 'running' }));
    const lists = api.count('list_vms 1');
    const open = holdNextList('1');
    for (let i = 0; i < 5; i++) push('1', [stats('web'), stats('fresh', { cpu_percent: i })]);
    await settle();
    push('1', [stats('web'), stats('fresh'), stats('other-new')]);
    expect(api.count('list_vms 1')).toBe(lists + 1);
    open();
    await settle();
    expect(names()).toContain('fresh');
    // The list came back after the pushes: the newest one's figures win over the answer's.
    expect(entry('fresh')?.figures?.cpu_percent).toBe(50);
    push('1', [stats('web'), stats('fresh')]);
    await vi.advanceTimersByTimeAsync(PUSH_MS * 3);
    expect(api.count('list_vms 1')).toBe(lists + 1);
  });

  it('does not re-list on every push for a UUID the list leaves out', async () => {
    const lists = api.count('list_vms 1');
    for (let i = 0; i < 5; i++) {
      push('1', [stats('web'), stats('ghost')]);
      await settle();
    }
    // One list to look for it; once a list asked after the push lacks it, pushes stop asking.
    expect(api.count('list_vms 1')).toBe(lists + 1);
  });

  it('re-lists on a resync of the selected host or of every host, not of another', async () => {
    const lists = api.count('list_vms 1');
    api.emit({ kind: 'resync', host_id: '2' });
    await settle();
    expect(api.count('list_vms 1')).toBe(lists);
    api.emit({ kind: 'resync', host_id: '1' });
    await settle();
    expect(api.count('list_vms 1')).toBe(lists + 1);
    api.emit({ kind: 'resync', host_id: null });
    await settle();
    expect(api.count('list_vms 1')).toBe(lists + 2);
  });

  it('coalesces re-list requests made while a list runs into one more list', async () => {
    const lists = api.count('list_vms 1');
    const open = holdNextList('1');
    api.emit({ kind: 'resync', host_id: '1' });
    api.emit({ kind: 'vm_lifecycle', host_id: '1', uuid: 'uuid-x', name: 'x', event: 'defined', state: null });
    api.emit({ kind: 'resync', host_id: null });
    await settle();
    open();
    await settle();
    expect(api.count('list_vms 1')).toBe(lists + 2);
  });

  it('keeps no timer and lists nothing while pushes flow for known VMs', async () => {
    const lists = api.count('list_vms');
    for (let i = 0; i < 10; i++) {
      push('1', [stats('web', { cpu_percent: i })]);
      await vi.advanceTimersByTimeAsync(PUSH_MS);
    }
    expect(api.count('list_vms')).toBe(lists);
    expect(api.count('list_hosts')).toBe(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('unsubscribes from events on stop', () => {
    stop();
    api.emit({ kind: 'vm_lifecycle', host_id: '1', uuid: 'uuid-db', name: 'db', event: 'started', state: 'running' });
    expect(entry('db')?.state).toBe('shut_off');
  });

  it('drops the history when its view is left, and loads it only when shown', async () => {
    session.showHistory();
    await settle();
    expect(session.history).not.toBeNull();
    session.showVms();
    expect(session.history).toBeNull();
    await session.act('uuid-web', 'shutdown');
    expect(api.count('list_history')).toBe(1);
  });
});

describe('Session SSH hosts and prompts', () => {
  const key = () => session.hosts.find((h) => h.id === '100')?.prompt;

  it('carries the question in a host_status event into the host list', () => {
    const prompt = { kind: 'passphrase', path: '~/.ssh/id', retry: false } as const;
    api.emit({ kind: 'host_status', host_id: '2', status: 'disconnected', error: 'locked', prompt, retrying: false });
    expect(session.hosts.find((h) => h.id === '2')).toMatchObject({ status: 'disconnected', prompt });
  });

  it('adds an SSH host, selects it and shows what it asks, then answers up to connected', async () => {
    const added = await session.addHost('lab', sshTarget());
    expect(added).toMatchObject({ kind: 'ssh', uri: 'ssh://root@server:22', ssh: sshSpec() });
    expect(session.selectedId).toBe(added.id);
    await settle();
    const asked = key();
    expect(asked?.kind).toBe('host_key');
    if (asked?.kind !== 'host_key') return;

    await session.answerPrompt(added.id, { kind: 'accept_host_key', fingerprint: asked.fingerprint });
    // Gone at once, before the core's next status says so.
    expect(key()).toBeNull();
    await settle();
    expect(key()).toEqual({ kind: 'password', retry: false });

    await session.answerPrompt(added.id, { kind: 'secret', secret: 'pw' });
    await settle();
    expect(session.selectedHost).toMatchObject({ status: 'connected', prompt: null });
    expect(session.vmsStale).toBe(false);
  });

  it('drops the question on cancel, though the core sends no event for it', async () => {
    await session.addHost('lab', sshTarget());
    await settle();
    await session.answerPrompt('100', { kind: 'cancel' });
    expect(api.calls).toContain('answer_prompt 100 cancel');
    expect(key()).toBeNull();
    expect(session.errors).toEqual([]);
  });

  it('leaves a newer question standing that came before the reply', async () => {
    await session.addHost('lab', sshTarget());
    await settle();
    const answer = api.answerPrompt.bind(api);
    const retry = { kind: 'password', retry: true } as const;
    api.answerPrompt = async (id, a) => {
      await answer(id, a);
      api.emit({ kind: 'host_status', host_id: id, status: 'disconnected', error: 'refused', prompt: retry, retrying: false });
    };
    const asked = key();
    if (asked?.kind !== 'host_key') throw new Error('no host key asked');
    await session.answerPrompt('100', { kind: 'accept_host_key', fingerprint: asked.fingerprint });
    expect(key()).toEqual(retry);
  });

  it('rethrows a refused answer for the dialog, keeping the question and the banners clear', async () => {
    await session.addHost('lab', sshTarget());
    await settle();
    await expect(session.answerPrompt('100', { kind: 'accept_host_key', fingerprint: 'SHA256:nope' })).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringContaining('is not the server'),
    });
    expect(key()?.kind).toBe('host_key');
    expect(session.errors).toEqual([]);
  });

  it('connects and disconnects through the API, following the status events', async () => {
    await session.disconnectHost('1');
    expect(api.calls).toContain('disconnect_host 1');
    await settle();
    expect(session.selectedHost?.status).toBe('disconnected');
    expect(session.vmsStale).toBe(true);

    await session.connectHost('1');
    expect(api.calls).toContain('connect_host 1');
    await settle();
    expect(session.selectedHost?.status).toBe('connected');
    expect(session.vmsStale).toBe(false);
    expect(session.errors).toEqual([]);
  });

  it('shows a refused connect or disconnect in the banners', async () => {
    await session.connectHost('9');
    await session.disconnectHost('9');
    expect(session.errors.map((e) => e.error.code)).toEqual(['host_not_found', 'host_not_found']);
  });

  it('edits a host: saved, re-listed, reconnected, still selected', async () => {
    const edited = await session.editHost('1', 'renamed', sshTarget({ host: 'lab' }));
    expect(edited).toMatchObject({ id: '1', name: 'renamed', kind: 'ssh' });
    expect(api.calls).toContain('edit_host 1 renamed ssh://root@lab:22');
    expect(session.selectedHost).toMatchObject({ name: 'renamed', status: 'connecting' });
    await settle();
    expect(session.selectedHost?.prompt?.kind).toBe('host_key');
  });

  it('leaves a rejected edit to the caller, changing nothing', async () => {
    await expect(session.editHost('1', 'x', sshTarget({ user: 'a b' }))).rejects.toMatchObject({
      message: expect.stringContaining('invalid SSH user'),
    });
    expect(session.hosts[0].name).toBe('host-1');
    expect(session.errors).toEqual([]);
  });

  it('shows an edit as saved when the re-list fails', async () => {
    api.listHosts = async () => {
      throw { code: 'store', message: 'locked', hint: null };
    };
    await session.editHost('2', 'renamed', uriTarget('qemu:///session'));
    expect(session.hosts.find((h) => h.id === '2')).toMatchObject({ name: 'renamed', uri: 'qemu:///session' });
  });

  it('reloads an open history after each of these', async () => {
    session.showHistory();
    await settle();
    await session.connectHost('2');
    await settle();
    expect(session.history?.[0]).toMatchObject({ action: 'connect_host', host: 'host-2' });
    await session.editHost('2', 'two', uriTarget('qemu:///system'));
    await settle();
    expect(session.history?.[0]).toMatchObject({ action: 'edit_host', host: 'two', target: 'qemu:///system' });
    await session.disconnectHost('2');
    await settle();
    expect(session.history?.[0]).toMatchObject({ action: 'disconnect_host' });
  });

  it('reads the tags and addresses with each list, for the whole host, and drops them with another host', async () => {
    expect(api.count('vm_tags 1')).toBe(1);
    expect(api.count('vm_addresses 1')).toBe(1);
    api.config.details['uuid-web'] = fakeDetail(api.vms['1'][0], { tags: ['prod'] });
    api.config.addresses['1'] = [{ uuid: 'uuid-web', addresses: ['10.0.0.2'], source: 'agent' }];
    api.emit({ kind: 'resync', host_id: '1' });
    await settle();
    expect(session.tags).toEqual({ 'uuid-web': ['prod'] });
    expect(session.addresses.get('uuid-web')?.addresses).toEqual(['10.0.0.2']);
    // The same answer again keeps the same objects (nothing re-renders or re-indexes).
    const tags = session.tags;
    const addresses = session.addresses;
    await session.loadTags();
    await session.loadAddresses();
    expect(session.tags).toBe(tags);
    expect(session.addresses).toBe(addresses);

    session.select('2');
    expect(session.tags).toEqual({});
    expect(session.addresses.size).toBe(0);
    await settle();
    expect(api.count('vm_addresses 2')).toBe(1);
  });

  it('reads the addresses once, shortly after a burst of lifecycle events, and leaves no timer', async () => {
    const before = api.count('vm_addresses 1');
    api.emit({ kind: 'vm_lifecycle', host_id: '1', uuid: 'uuid-db', name: 'db', event: 'started', state: 'running' });
    api.emit({ kind: 'vm_lifecycle', host_id: '1', uuid: 'uuid-web', name: 'web', event: 'suspended', state: 'paused' });
    await vi.advanceTimersByTimeAsync(ADDRESS_DEBOUNCE_MS / 2);
    expect(api.count('vm_addresses 1')).toBe(before);
    await vi.advanceTimersByTimeAsync(ADDRESS_DEBOUNCE_MS);
    expect(api.count('vm_addresses 1')).toBe(before + 1);
    expect(vi.getTimerCount()).toBe(0);
    // Another host's events read nothing.
    api.emit({ kind: 'vm_lifecycle', host_id: '2', uuid: 'uuid-other', name: 'other', event: 'stopped', state: 'shut_off' });
    await vi.advanceTimersByTimeAsync(ADDRESS_DEBOUNCE_MS * 2);
    expect(api.count('vm_addresses')).toBe(before + 1);
  });

  it('runs a batch in one call and answers each outcome; none on stale rows', async () => {
    const items = await session.batch(['uuid-web', 'uuid-db'], { kind: 'start' });
    expect(api.calls).toContain('batch_vms 1 2 {"kind":"start"}');
    expect(items?.map((i) => [i.name, i.error?.code ?? null])).toEqual([
      ['web', 'invalid_state'],
      ['db', null],
    ]);
    api.hosts[0] = { ...api.hosts[0], status: 'disconnected' };
    api.emit({ kind: 'host_status', host_id: '1', status: 'disconnected', error: null, prompt: null, retrying: true });
    expect(session.vmsStale).toBe(true);
    expect(await session.batch(['uuid-db'], { kind: 'shutdown' })).toBeNull();
    expect(api.count('batch_vms')).toBe(1);
  });
});

