// The storage pages and the task list in the whole window against the fake backend: the
// view switch opens them, the task list shows an upload's progress across views, and a
// VM's delete asks whether its disks go (the hooks e2e_storage relies on).
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import App from './App.svelte';
import { FakeApi } from './lib/fake-api';
import { fakePool, fakeVolume } from './lib/fake-storage';
import { setLocale } from './lib/i18n';
import { host, vm } from './lib/testing';

const fake = vi.hoisted(() => ({ api: null as unknown as FakeApi }));
vi.mock('./lib/api', () => ({
  get api() {
    return fake.api;
  },
}));

const byTestId = <T extends HTMLElement = HTMLElement>(id: string) => screen.getByTestId(id) as T;
const q = (css: string) => document.querySelector<HTMLElement>(css);

beforeEach(() => {
  setLocale('en');
  fake.api = new FakeApi();
  fake.api.hosts = [host({ id: '1', name: 'Lab' })];
  fake.api.vms['1'] = [vm({ name: 'web', state: 'shut_off' })];
  const pool = fakePool({ name: 'default' });
  fake.api.storage.addPool('1', pool, [fakeVolume(pool, { name: 'web.qcow2', used_by: ['web'] })]);
});

afterEach(() => setLocale('en'));

describe('the storage pages', () => {
  it('lists pools and volumes, and a delete of a volume in use names the VM first', async () => {
    render(App);
    await waitFor(() => expect(q('tr[data-vm="web"]')).not.toBeNull());
    await fireEvent.click(byTestId('show-storage'));
    await waitFor(() => expect(q('tr[data-volume="web.qcow2"]')).not.toBeNull());
    expect(q('tr[data-pool="default"] [data-state="running"]')?.textContent).toBe('Running');
    await fireEvent.click(q('tr[data-volume="web.qcow2"] [data-testid="volume-delete"]')!);
    expect(document.querySelector('[role="alertdialog"]')?.textContent).toContain('In use by web');
    await fireEvent.click(byTestId('confirm-ok'));
    await waitFor(() => expect(byTestId('storage-error').dataset.code).toBe('in_use'));
  });

  it('uploads into the ISO library with the progress in the page and in the task list, across views', async () => {
    fake.api.storage.files.set('/home/me/a.iso', { size: 8 << 20, sha256: 'ab'.repeat(32) });
    render(App);
    await waitFor(() => expect(q('tr[data-vm="web"]')).not.toBeNull());
    await fireEvent.click(byTestId('show-isos'));
    await waitFor(() => byTestId('iso-empty'));
    await fireEvent.input(byTestId('iso-upload-path'), { target: { value: '/home/me/a.iso' } });
    await fireEvent.click(byTestId('iso-upload'));
    await waitFor(() => expect(q('[data-testid="iso-upload-task"] [data-testid="task-progress"]')).not.toBeNull());
    const id = fake.api.storage.tasks[0].id;
    fake.api.storage.progress(id, 2 << 20, 1 << 20);
    await waitFor(() => expect(q('[data-testid="task-list"] [data-testid="task-amount"]')?.textContent).toBe('2 MiB / 8 MiB'));
    expect(q('[data-testid="task-list"] [data-testid="task-speed"]')?.textContent).toBe('1 MiB/s');
    expect(q('[data-testid="task-list"] [data-testid="task-step"]')?.textContent).toBe('Uploading');
    await fireEvent.click(byTestId('show-vms'));
    expect(q(`li[data-task-id="${id}"][data-state="running"]`)).not.toBeNull();
    fake.api.storage.finish(id);
    await fireEvent.click(byTestId('show-isos'));
    await waitFor(() => expect(q('tr[data-iso="a.iso"] [data-testid="iso-sha"]')?.textContent).toBe('ab'.repeat(32)));
    await waitFor(() => expect(q(`li[data-task-id="${id}"]`)?.dataset.state).toBe('succeeded'));
  });
});

describe('making a pool', () => {
  it('of each kind, with the fields that kind needs checked before sending', async () => {
    render(App);
    await waitFor(() => expect(q('tr[data-vm="web"]')).not.toBeNull());
    await fireEvent.click(byTestId('show-storage'));
    await waitFor(() => expect(q('tr[data-pool="default"]')).not.toBeNull());
    await fireEvent.click(byTestId('pool-new'));
    await fireEvent.input(byTestId('pool-name'), { target: { value: 'fast' } });
    await fireEvent.change(byTestId('pool-kind'), { target: { value: 'logical' } });
    expect(q('[data-testid="pool-path"]')).toBeNull();
    await fireEvent.input(byTestId('pool-vg'), { target: { value: 'vg 0' } });
    await fireEvent.click(byTestId('pool-create'));
    expect(byTestId('pool-vg-problem').textContent).toContain('volume group');
    expect(fake.api.calls.some((c) => c.startsWith('create_pool'))).toBe(false);
    await fireEvent.input(byTestId('pool-vg'), { target: { value: 'vg0' } });
    await fireEvent.click(byTestId('pool-create'));
    await waitFor(() => expect(q('tr[data-pool="fast"]')).not.toBeNull());
    expect(fake.api.storage.pools['1'].find((p) => p.name === 'fast')?.path).toBe('/dev/vg0');
    await waitFor(() => expect(q('[data-testid="pool-name"]')).toBeNull());

    await fireEvent.click(byTestId('pool-new'));
    await fireEvent.input(byTestId('pool-name'), { target: { value: 'nas' } });
    await fireEvent.change(byTestId('pool-kind'), { target: { value: 'netfs' } });
    await fireEvent.input(byTestId('pool-server'), { target: { value: 'nas.lan' } });
    await fireEvent.input(byTestId('pool-export'), { target: { value: 'export/vms' } });
    await fireEvent.input(byTestId('pool-path'), { target: { value: '/mnt/nas' } });
    await fireEvent.click(byTestId('pool-create'));
    expect(byTestId('pool-export-problem').textContent).toContain('starting with /');
    await fireEvent.input(byTestId('pool-export'), { target: { value: '/export/vms' } });
    await fireEvent.click(byTestId('pool-create'));
    await waitFor(() => expect(q('tr[data-pool="nas"]')).not.toBeNull());
    expect(fake.api.calls).toContain('create_pool 1 nas');
  });
});

describe("the ISO library's directory", () => {
  it('moves an empty library, and shows the refusal for one holding ISOs', async () => {
    render(App);
    await waitFor(() => expect(q('tr[data-vm="web"]')).not.toBeNull());
    await fireEvent.click(byTestId('show-isos'));
    await waitFor(() => expect(byTestId('iso-dir').textContent).toBe('/var/lib/libvirt/images/vireo-isos'));
    await fireEvent.click(byTestId('iso-dir-change'));
    await fireEvent.input(byTestId('iso-dir-input'), { target: { value: 'relative/dir' } });
    expect(byTestId('iso-dir-problem').textContent).toContain('starting with /');
    expect(byTestId<HTMLButtonElement>('iso-dir-save').disabled).toBe(true);
    await fireEvent.input(byTestId('iso-dir-input'), { target: { value: '/srv/isos' } });
    await fireEvent.click(byTestId('iso-dir-save'));
    await waitFor(() => expect(byTestId('iso-dir').textContent).toBe('/srv/isos'));
    expect(q('[data-testid="iso-dir-form"]')).toBeNull();

    fake.api.storage.files.set('/home/me/a.iso', { size: 1 << 20, sha256: 'cd'.repeat(32) });
    await fake.api.uploadIso('1', '/home/me/a.iso', null, null);
    fake.api.storage.finish(fake.api.storage.tasks[0].id);
    await fireEvent.click(byTestId('iso-dir-change'));
    await fireEvent.input(byTestId('iso-dir-input'), { target: { value: '/elsewhere' } });
    await fireEvent.click(byTestId('iso-dir-save'));
    await waitFor(() => expect(byTestId('iso-error').textContent).toContain('holding 1 ISO(s)'));
    expect(byTestId('iso-dir').textContent).toBe('/srv/isos');
  });
});

describe('deleting a VM', () => {
  it('asks first, keeps its disks unless told, and runs as a task', async () => {
    render(App);
    await waitFor(() => expect(q('tr[data-vm="web"]')).not.toBeNull());
    await fireEvent.click(q('tr[data-vm="web"] [data-testid="vm-delete"]')!);
    expect(byTestId<HTMLInputElement>('delete-vm-storage').checked).toBe(false);
    await fireEvent.click(byTestId('delete-vm-storage'));
    await fireEvent.click(byTestId('confirm-ok'));
    await waitFor(() => expect(q('li[data-kind="delete_vm"][data-target="web"]')).not.toBeNull());
    expect(fake.api.storage.calls).toContain('delete_vm web with storage');
  });
});
