// The VM list's batch actions, tag filter and addresses, against the fake backend: ticking
// VMs (one by one, or every row shown), the batch bar and its outcome, the confirmations of
// force off and delete, the tag picker with its counts and the tags in the rows, and the
// Addresses column read for the whole host at once.
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import App from './App.svelte';
import { FakeApi } from './lib/fake-api';
import { fakeDetail } from './lib/fake-vm-config';
import { setLocale } from './lib/i18n';
import { ADDRESS_DEBOUNCE_MS, ADDRESS_POLL_MS } from './lib/session.svelte';
import { host, vm } from './lib/testing';

const fake = vi.hoisted(() => ({ api: null as unknown as FakeApi }));
vi.mock('./lib/api', () => ({
  get api() {
    return fake.api;
  },
}));

const byTestId = <T extends HTMLElement = HTMLElement>(id: string) => screen.getByTestId(id) as T;
const rows = () => [...document.querySelectorAll<HTMLElement>('tr[data-vm]')].map((r) => r.dataset.vm);
function row(name: string): HTMLElement {
  const el = document.querySelector<HTMLElement>(`tr[data-vm="${name}"]`);
  if (!el) throw new Error(`no row for ${name}`);
  return el;
}
const tickBox = (name: string) => row(name).querySelector<HTMLInputElement>('[data-testid="vm-select"]')!;
const tick = (name: string) => fireEvent.click(tickBox(name));
const selectAll = () => byTestId<HTMLInputElement>('select-all');
const search = (value: string) => fireEvent.input(byTestId('vm-filter'), { target: { value } });
const addressesOf = (name: string) => row(name).querySelector<HTMLElement>('[data-testid="vm-addresses"]');
const hostItem = (id: string) => document.querySelector<HTMLElement>(`[data-host-id="${id}"]`)!;
const chips = (name: string) => [...row(name).querySelectorAll('[data-testid="vm-tag"]')].map((c) => c.textContent);

const WEB = vm({ name: 'web', state: 'running' });
const DB = vm({ name: 'db', state: 'shut_off', cpu_percent: null, memory_rss_kib: null });
const CACHE = vm({ name: 'cache', state: 'shut_off', cpu_percent: null, memory_rss_kib: null });
const API = vm({ name: 'api', state: 'running' });

/** A fresh app on two connected hosts; host 7 has tags on web and db and addresses for web (and, stale, db). */
async function mount() {
  fake.api = new FakeApi();
  fake.api.hosts = [host({ id: '7', name: 'Demo' }), host({ id: '9', name: 'Zeta' })];
  fake.api.vms = { '7': [structuredClone(WEB), structuredClone(DB), structuredClone(CACHE)], '9': [structuredClone(API)] };
  fake.api.config.details['uuid-web'] = fakeDetail(WEB, { tags: ['prod', 'frontend'] });
  fake.api.config.details['uuid-db'] = fakeDetail(DB, { tags: ['prod'] });
  fake.api.config.addresses['7'] = [
    { uuid: 'uuid-web', addresses: ['192.168.122.10', '10.0.0.5', 'fd00::10'], source: 'lease' },
    // Left from before db stopped: a stopped VM shows none.
    { uuid: 'uuid-db', addresses: ['192.168.122.11'], source: 'agent' },
  ];
  render(App);
  await waitFor(() => row('web'));
  await waitFor(() => expect(chips('web')).not.toEqual([]));
}

beforeEach(async () => {
  setLocale('en');
  await mount();
});

afterEach(() => {
  vi.useRealTimers();
  setLocale('en');
});

describe('batch actions on the ticked VMs', () => {
  it('shows no batch bar until a VM is ticked, then its count', async () => {
    expect(screen.queryByTestId('batch-bar')).toBeNull();
    await tick('web');
    await tick('db');
    expect(tickBox('web').checked).toBe(true);
    expect(tickBox('cache').checked).toBe(false);
    expect(byTestId('batch-count').textContent).toBe('2 selected');
    await tick('web');
    expect(byTestId('batch-count').textContent).toBe('1 selected');
    await fireEvent.click(byTestId('batch-clear'));
    expect(screen.queryByTestId('batch-bar')).toBeNull();
    expect(tickBox('db').checked).toBe(false);
  });

  it('starts two VMs in one call and shows the outcome with the failure named', async () => {
    const batch = vi.spyOn(fake.api, 'batchVms');
    await tick('web');
    await tick('db');
    await fireEvent.click(byTestId('batch-start'));
    const result = await screen.findByTestId('batch-result');
    expect(batch).toHaveBeenCalledTimes(1);
    expect(batch.mock.calls[0][0]).toBe('7');
    expect([...batch.mock.calls[0][1]].sort()).toEqual(['uuid-db', 'uuid-web']);
    expect(batch.mock.calls[0][2]).toEqual({ kind: 'start' });
    expect(within(result).getByTestId('batch-summary').textContent?.trim()).toBe('Start: 1 done, 1 failed');
    const failures = within(result).getAllByTestId('batch-failure');
    expect(failures.map((f) => f.dataset.name)).toEqual(['web']);
    expect(failures[0].textContent).toContain('web');
    expect(failures[0].textContent).toContain('web is already running');
    // No question for a start, and one call whatever the count.
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(fake.api.count('batch_vms')).toBe(1);
    expect(fake.api.count('vm_action')).toBe(0);

    await fireEvent.click(within(result).getByRole('button'));
    expect(screen.queryByTestId('batch-result')).toBeNull();
  });

  it('asks before forcing off, and does nothing when cancelled', async () => {
    const batch = vi.spyOn(fake.api, 'batchVms');
    await tick('web');
    await fireEvent.click(byTestId('batch-destroy'));
    const dialog = screen.getByRole('alertdialog');
    expect(dialog.textContent).toContain('Force off 1 VMs?');
    await fireEvent.click(within(dialog).getByText('Cancel'));
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(batch).not.toHaveBeenCalled();

    await fireEvent.click(byTestId('batch-destroy'));
    await fireEvent.click(byTestId('confirm-ok'));
    await screen.findByTestId('batch-result');
    expect(batch.mock.calls[0][2]).toEqual({ kind: 'destroy' });
    expect(byTestId('batch-summary').textContent?.trim()).toBe('Force off: 1 done, 0 failed');
  });

  it('asks before deleting, with the choice of the disks, and sends it', async () => {
    const batch = vi.spyOn(fake.api, 'batchVms');
    await tick('db');
    await tick('cache');
    await fireEvent.click(byTestId('batch-delete'));
    const dialog = screen.getByRole('alertdialog');
    expect(dialog.textContent).toContain('Delete 2 VMs?');
    expect(batch).not.toHaveBeenCalled();
    const disks = byTestId<HTMLInputElement>('delete-vm-storage');
    expect(disks.checked).toBe(false);
    await fireEvent.click(disks);
    await fireEvent.click(byTestId('confirm-ok'));
    await screen.findByTestId('batch-result');
    expect([...batch.mock.calls[0][1]].sort()).toEqual(['uuid-cache', 'uuid-db']);
    expect(batch.mock.calls[0][2]).toEqual({ kind: 'delete', remove_storage: true });
    expect(byTestId('batch-summary').textContent?.trim()).toBe('Delete: 2 done, 0 failed');
    expect(fake.api.vms['7'].map((v) => v.name)).toEqual(['web']);
  });

  it('keeps the disks when not asked to delete them', async () => {
    const batch = vi.spyOn(fake.api, 'batchVms');
    await tick('cache');
    await fireEvent.click(byTestId('batch-delete'));
    await fireEvent.click(byTestId('confirm-ok'));
    await screen.findByTestId('batch-result');
    expect(batch.mock.calls[0][2]).toEqual({ kind: 'delete', remove_storage: false });
  });

  it('select-all ticks only the rows shown, and the ticks survive the filter', async () => {
    await search('ca');
    expect(rows()).toEqual(['cache']);
    await fireEvent.click(selectAll());
    expect(byTestId('batch-count').textContent).toBe('1 selected');
    expect(selectAll().checked).toBe(true);

    await search('');
    expect(rows()).toEqual(['cache', 'db', 'web']);
    expect(tickBox('cache').checked).toBe(true);
    expect(tickBox('db').checked).toBe(false);
    expect(tickBox('web').checked).toBe(false);
    // Some of the rows shown are ticked.
    expect(selectAll().checked).toBe(false);
    expect(selectAll().indeterminate).toBe(true);

    await fireEvent.click(document.querySelector('[data-filter="stopped"]')!);
    await fireEvent.click(selectAll());
    expect(byTestId('batch-count').textContent).toBe('2 selected');
    await fireEvent.click(document.querySelector('[data-filter="all"]')!);
    expect(tickBox('web').checked).toBe(false);

    await fireEvent.click(selectAll());
    expect(byTestId('batch-count').textContent).toBe('3 selected');
    expect(selectAll().indeterminate).toBe(false);
    await fireEvent.click(selectAll());
    expect(screen.queryByTestId('batch-bar')).toBeNull();
  });

  it('clears the ticks when another host is picked, and does not bring them back', async () => {
    await tick('web');
    expect(screen.getByTestId('batch-bar')).toBeTruthy();
    await fireEvent.click(hostItem('9'));
    await waitFor(() => row('api'));
    expect(screen.queryByTestId('batch-bar')).toBeNull();
    expect(tickBox('api').checked).toBe(false);
    await fireEvent.click(hostItem('7'));
    await waitFor(() => row('web'));
    expect(screen.queryByTestId('batch-bar')).toBeNull();
    expect(tickBox('web').checked).toBe(false);
  });
});

describe('the tag filter and tags', () => {
  it('offers each tag with its count, and narrows the list to it', async () => {
    const picker = byTestId<HTMLSelectElement>('tag-filter');
    expect([...picker.options].map((o) => o.textContent)).toEqual(['All tags', 'frontend (1)', 'prod (2)']);
    await fireEvent.change(picker, { target: { value: 'prod' } });
    expect(rows()).toEqual(['db', 'web']);
    await fireEvent.change(picker, { target: { value: 'frontend' } });
    expect(rows()).toEqual(['web']);
    // With the state filter and the search too.
    await fireEvent.change(picker, { target: { value: 'prod' } });
    await fireEvent.click(document.querySelector('[data-filter="stopped"]')!);
    expect(rows()).toEqual(['db']);
    await fireEvent.click(document.querySelector('[data-filter="all"]')!);
    await search('we');
    expect(rows()).toEqual(['web']);
    await search('');
    await fireEvent.change(picker, { target: { value: '' } });
    expect(rows()).toEqual(['cache', 'db', 'web']);
    // Tags were read once, with the list, for the whole host.
    expect(fake.api.count('vm_tags')).toBe(1);
  });

  it('shows each VM’s tags in its row, and the search finds them', async () => {
    expect(chips('web')).toEqual(['prod', 'frontend']);
    expect(chips('db')).toEqual(['prod']);
    expect(chips('cache')).toEqual([]);
    expect(row('web').querySelector('td.name')?.getAttribute('title')).toContain('Tags: prod, frontend');
    await search('FRONT');
    expect(rows()).toEqual(['web']);
  });

  it('reads the tags again with a re-list', async () => {
    fake.api.config.details['uuid-cache'] = fakeDetail(CACHE, { tags: ['batch'] });
    fake.api.emit({ kind: 'resync', host_id: '7' });
    await waitFor(() => expect(chips('cache')).toEqual(['batch']));
    expect([...byTestId<HTMLSelectElement>('tag-filter').options].map((o) => o.textContent)).toContain('batch (1)');
  });

  it('shows no tag picker on a host without tags', async () => {
    await fireEvent.click(hostItem('9'));
    await waitFor(() => row('api'));
    expect(screen.queryByTestId('tag-filter')).toBeNull();
  });
});

describe('the Addresses column', () => {
  it('shows a running VM’s first address, +N for the others, all in the tooltip', () => {
    const web = addressesOf('web')!;
    expect(web.textContent?.replace(/\s+/g, ' ').trim()).toBe('192.168.122.10 +2');
    const title = web.getAttribute('title')!;
    expect(title.split('\n')).toEqual(['192.168.122.10', '10.0.0.5', 'fd00::10', "From the network's DHCP leases"]);
    expect(screen.getByRole('columnheader', { name: 'Addresses' })).toBeTruthy();
  });

  it('shows nothing for a stopped VM, even with addresses left from before', () => {
    expect(addressesOf('db')).toBeNull();
    expect(addressesOf('cache')).toBeNull();
  });

  it('is read for the whole host in one call, and again shortly after a lifecycle event', async () => {
    expect(fake.api.count('vm_addresses')).toBe(1);
    fake.api.vms['7'][1].state = 'running';
    fake.api.config.addresses['7'][1] = { uuid: 'uuid-db', addresses: ['192.168.122.12'], source: 'agent' };
    fake.api.emit({ kind: 'vm_lifecycle', host_id: '7', uuid: 'uuid-db', name: 'db', event: 'started', state: 'running' });
    fake.api.emit({ kind: 'vm_lifecycle', host_id: '7', uuid: 'uuid-cache', name: 'cache', event: 'started', state: 'running' });
    await waitFor(() => expect(addressesOf('db')?.textContent?.trim()).toBe('192.168.122.12'), { timeout: 3000 });
    expect(addressesOf('db')?.getAttribute('title')).toContain('Reported by the guest agent');
    // Two events, one read.
    expect(fake.api.count('vm_addresses')).toBe(2);
    // A VM that stops loses them at once.
    fake.api.emit({ kind: 'vm_lifecycle', host_id: '7', uuid: 'uuid-web', name: 'web', event: 'stopped', state: 'shut_off' });
    await waitFor(() => expect(addressesOf('web')).toBeNull());
  });

  it('is read again every 10 s while the host has running VMs, and not once none runs', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    // The panel's timer starts with the next mount (after the fake timers are in place).
    cleanup();
    await mount();
    const before = fake.api.count('vm_addresses');
    fake.api.config.addresses['7'][0] = { uuid: 'uuid-web', addresses: ['192.168.122.99'], source: 'lease' };
    vi.advanceTimersByTime(ADDRESS_POLL_MS);
    await waitFor(() => expect(addressesOf('web')?.textContent?.trim()).toBe('192.168.122.99'));
    expect(fake.api.count('vm_addresses')).toBe(before + 1);

    fake.api.emit({ kind: 'vm_lifecycle', host_id: '7', uuid: 'uuid-web', name: 'web', event: 'stopped', state: 'shut_off' });
    await waitFor(() => expect(addressesOf('web')).toBeNull());
    // Wait out the read after the event (on a real timeout; waitFor would poll on the faked
    // interval), then no timer is left reading.
    await new Promise((resolve) => setTimeout(resolve, ADDRESS_DEBOUNCE_MS + 200));
    expect(fake.api.count('vm_addresses')).toBe(before + 2);
    vi.advanceTimersByTime(ADDRESS_POLL_MS * 3);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(fake.api.count('vm_addresses')).toBe(before + 2);
  });
});

describe('in Chinese', () => {
  it('labels the batch bar, its outcome, the tag picker and the column', async () => {
    setLocale('zh');
    await tick('web');
    await tick('db');
    expect(byTestId('batch-count').textContent).toBe('已选 2 台');
    expect(byTestId('batch-start').textContent?.trim()).toBe('启动');
    expect(byTestId('batch-destroy').textContent?.trim()).toBe('强制关机');
    expect(byTestId('batch-clear').textContent?.trim()).toBe('取消选择');
    expect(screen.getByRole('columnheader', { name: '地址' })).toBeTruthy();
    expect(byTestId<HTMLSelectElement>('tag-filter').options[0].textContent).toBe('全部标签');
    expect(byTestId<HTMLSelectElement>('tag-filter').options[2].textContent).toBe('prod（2）');
    expect(selectAll().getAttribute('aria-label')).toBe('全选显示的虚拟机');

    await fireEvent.click(byTestId('batch-start'));
    await screen.findByTestId('batch-result');
    expect(byTestId('batch-summary').textContent?.trim()).toBe('启动：1 台完成，1 台失败');

    await fireEvent.click(byTestId('batch-delete'));
    expect(screen.getByRole('alertdialog').textContent).toContain('删除 2 台虚拟机？');
    expect(screen.getByRole('alertdialog').textContent).toContain('同时删除其磁盘');
  });
});
