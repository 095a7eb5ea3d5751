import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeApi } from './fake-api';
import { POLL_MS, Session } from './session.svelte';
import { host, vm } from './testing';

let api: FakeApi;
let session: Session;
let stop: () => void;

/** Lets pending promise callbacks run. */
const settle = () => vi.advanceTimersByTimeAsync(0);

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
  it('selects the first host and lists its VMs, sorted', () => {
    expect(session.selectedId).toBe('1');
    expect(session.vms?.map((v) => v.name)).toEqual(['db', 'web']);
  });

  it('polls the selected host every 2 s', async () => {
    const before = api.count('list_vms 1');
    await vi.advanceTimersByTimeAsync(POLL_MS * 3);
    expect(api.count('list_vms 1') - before).toBe(3);
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
    api.emit({ kind: 'host_status', host_id: '1', status: 'disconnected', error: 'lost' });
    expect(session.hosts[0]).toMatchObject({ status: 'disconnected', error: 'lost' });
    const before = api.count('list_vms 1');
    api.emit({ kind: 'host_status', host_id: '1', status: 'connected', error: null });
    await settle();
    expect(session.hosts[0].status).toBe('connected');
    expect(api.count('list_vms 1')).toBe(before + 1);
  });

  it('re-lists hosts when an unknown host reports', async () => {
    api.hosts.push(host({ id: '3' }));
    api.emit({ kind: 'host_status', host_id: '3', status: 'connected', error: null });
    await settle();
    expect(session.hosts.map((h) => h.id)).toEqual(['1', '2', '3']);
  });

  it('switches hosts, showing loading until the new list arrives', async () => {
    session.select('2');
    expect(session.vms).toBeNull();
    await settle();
    expect(session.vms?.map((v) => v.name)).toEqual(['other']);
  });

  it('marks a VM busy during an action, then refreshes', async () => {
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
    expect(api.count('list_vms 1')).toBe(lists + 1);
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
    await vi.advanceTimersByTimeAsync(POLL_MS);
    expect(session.vmsError?.code).toBe('disconnected');
    expect(session.vms).toHaveLength(2);
    expect(session.errors).toEqual([]);
  });

  it('saves a host\'s acceleration and shows the saved value', async () => {
    await session.setAccel('2', 'qemu');
    expect(api.calls).toContain('set_host_accel 2 qemu');
    expect(session.hosts.find((h) => h.id === '2')?.accel).toBe('qemu');
  });

  it('adds a host, re-lists hosts and selects the new one', async () => {
    const added = await session.addHost('lab', 'qemu+ssh://root@lab/system');
    expect(added).toMatchObject({ name: 'lab', kind: 'remote', status: 'connecting' });
    expect(session.hosts.map((h) => h.id)).toEqual(['1', '2', added.id]);
    expect(session.selectedId).toBe(added.id);
    await settle();
    expect(api.calls).toContain(`list_vms ${added.id}`);
  });

  it('leaves a rejected host to the caller, changing nothing', async () => {
    const result = session.addHost('lab', 'foo');
    await expect(result).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringContaining("'foo' has no scheme") });
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

    await session.addHost('lab', 'qemu:///system').catch(() => {});
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
