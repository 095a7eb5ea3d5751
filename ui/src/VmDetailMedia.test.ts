// The detail page's CD-ROM media, snapshots and clone against the fake backend: an ISO
// inserted and ejected (what the core answers is what shows), a snapshot taken with its
// name checked first, listed as a tree, reverted as a task after asking and deleted with
// or without its children, and a clone made as a task (refused while the VM runs).
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import App from './App.svelte';
import { FakeApi } from './lib/fake-api';
import { fakePool, fakeVolume, ISO_POOL } from './lib/fake-storage';
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

async function openDetail(name: string) {
  render(App);
  await waitFor(() => expect(q(`tr[data-vm="${name}"]`)).not.toBeNull());
  await fireEvent.click(q(`tr[data-vm="${name}"] [data-testid="vm-details"]`)!);
  await waitFor(() => expect(q('[data-testid="detail-config"]')).not.toBeNull());
}

const ISO = '/var/lib/libvirt/images/vireo-isos/debian.iso';

beforeEach(() => {
  setLocale('en');
  fake.api = new FakeApi();
  fake.api.hosts = [host({ id: '1', name: 'Lab' })];
  fake.api.vms['1'] = [vm({ name: 'web', state: 'running' }), vm({ name: 'db', state: 'shut_off' })];
  fake.api.storage.addPool('1', fakePool({ name: 'default' }));
  const isos = fakePool({ name: ISO_POOL, path: '/var/lib/libvirt/images/vireo-isos' });
  fake.api.storage.addPool('1', isos, [fakeVolume(isos, { name: 'debian.iso', format: 'iso', path: ISO })]);
});

afterEach(() => setLocale('en'));

describe('CD-ROM media', () => {
  it('inserts an ISO from the library into a running VM and ejects it', async () => {
    await openDetail('web');
    await waitFor(() => expect(q('[data-testid="media-drive-sda"]')).not.toBeNull());
    expect(byTestId('media-source-sda').textContent).toContain('(empty)');
    expect(byTestId<HTMLButtonElement>('media-eject-sda').disabled).toBe(true);
    expect(byTestId<HTMLButtonElement>('media-insert-sda').disabled).toBe(true);
    await fireEvent.change(byTestId('media-iso-sda'), { target: { value: ISO } });
    await fireEvent.click(byTestId('media-insert-sda'));
    await waitFor(() => expect(byTestId('media-source-sda').textContent).toContain('debian.iso'));
    expect(fake.api.calls).toContain(`change_media 1 uuid-web sda ${ISO}`);
    expect(byTestId('media-insert-sda').textContent).toContain('Change');
    await fireEvent.click(byTestId('media-eject-sda'));
    await waitFor(() => expect(byTestId('media-source-sda').textContent).toContain('(empty)'));
    expect(fake.api.calls).toContain('change_media 1 uuid-web sda null');
  });

  it("shows the core's refusal where the drive is", async () => {
    await openDetail('web');
    await waitFor(() => expect(q('[data-testid="media-drive-sda"]')).not.toBeNull());
    await fireEvent.change(byTestId('media-iso-sda'), { target: { value: ISO } });
    // Deleted from the host (by another client) after the list was read.
    fake.api.storage.volumes[`1/${ISO_POOL}`] = [];
    await fireEvent.click(byTestId('media-insert-sda'));
    await waitFor(() => expect(byTestId('media-error').textContent).toContain(`volume at ${ISO} not found`));
    expect(byTestId('media-source-sda').textContent).toContain('(empty)');
  });
});

describe('snapshots', () => {
  it('takes snapshots with a checked name and lists them as a tree, the current one marked', async () => {
    await openDetail('db');
    await waitFor(() => expect(q('[data-testid="snapshot-none"]')).not.toBeNull());
    await fireEvent.click(byTestId('snapshot-take'));
    expect(byTestId<HTMLInputElement>('snapshot-name').value).toMatch(/^snap-\d{8}-\d{4}$/);
    await fireEvent.input(byTestId('snapshot-name'), { target: { value: 'a/b' } });
    expect(byTestId('snapshot-name-problem').textContent).toContain('/');
    expect(byTestId<HTMLButtonElement>('snapshot-create').disabled).toBe(true);
    await fireEvent.input(byTestId('snapshot-name'), { target: { value: 'base' } });
    await fireEvent.input(byTestId('snapshot-description'), { target: { value: 'fresh install' } });
    await fireEvent.click(byTestId('snapshot-create'));
    await waitFor(() => expect(q('[data-testid="snapshot-row-base"]')).not.toBeNull());
    expect(fake.api.calls.some((c) => c.startsWith('create_snapshot 1 uuid-db base'))).toBe(true);
    await fireEvent.click(byTestId('snapshot-take'));
    await fireEvent.input(byTestId('snapshot-name'), { target: { value: 'upgraded' } });
    await fireEvent.click(byTestId('snapshot-create'));
    await waitFor(() => expect(q('[data-testid="snapshot-row-upgraded"]')).not.toBeNull());
    const rows = [...document.querySelectorAll<HTMLElement>('[data-testid^="snapshot-row-"]')];
    expect(rows.map((r) => r.dataset.testid)).toEqual(['snapshot-row-base', 'snapshot-row-upgraded']);
    expect(rows[0].textContent).toContain('fresh install');
    expect(rows[1].querySelector<HTMLElement>('.name')!.style.paddingLeft).toBe('16px');
    expect(rows[1].textContent).toContain('current');
    expect(rows[0].textContent).not.toContain('current');
  });

  it('reverts after asking, as a task, and the current mark moves', async () => {
    fake.api.config.createSnapshot('1', 'uuid-db', { name: 'base', description: null });
    fake.api.config.createSnapshot('1', 'uuid-db', { name: 'later', description: null });
    await openDetail('db');
    await waitFor(() => expect(q('[data-testid="snapshot-row-base"]')).not.toBeNull());
    await fireEvent.click(byTestId('snapshot-revert-base'));
    expect(screen.getByRole('alertdialog').textContent).toContain('Everything changed since is lost');
    expect(fake.api.calls.some((c) => c.startsWith('revert_snapshot'))).toBe(false);
    await fireEvent.click(byTestId('confirm-ok'));
    await waitFor(() => expect(fake.api.calls).toContain('revert_snapshot 1 uuid-db base'));
    const task = fake.api.storage.tasks.find((t) => t.kind === 'revert_snapshot')!;
    expect(task.target).toBe('db/base');
    fake.api.storage.finish(task.id);
    await waitFor(() => expect(byTestId('snapshot-row-base').textContent).toContain('current'));
    expect(byTestId('snapshot-row-later').textContent).not.toContain('current');
  });

  it('deletes one alone (its children move up) or with its children, asked first', async () => {
    for (const name of ['a', 'b', 'c']) fake.api.config.createSnapshot('1', 'uuid-db', { name, description: null });
    await openDetail('db');
    await waitFor(() => expect(q('[data-testid="snapshot-row-c"]')).not.toBeNull());
    await fireEvent.click(byTestId('snapshot-delete-b'));
    expect(screen.getByRole('alertdialog').textContent).toContain('(c)');
    expect(byTestId<HTMLInputElement>('snapshot-delete-children').checked).toBe(false);
    await fireEvent.click(byTestId('confirm-ok'));
    await waitFor(() => expect(q('[data-testid="snapshot-row-b"]')).toBeNull());
    expect(fake.api.calls).toContain('delete_snapshot 1 uuid-db b false');
    expect(byTestId('snapshot-row-c').querySelector<HTMLElement>('.name')!.style.paddingLeft).toBe('16px');
    await fireEvent.click(byTestId('snapshot-delete-a'));
    await fireEvent.click(byTestId('snapshot-delete-children'));
    await fireEvent.click(byTestId('confirm-ok'));
    await waitFor(() => expect(q('[data-testid="snapshot-none"]')).not.toBeNull());
    expect(fake.api.calls).toContain('delete_snapshot 1 uuid-db a true');
  });

  it('reads in Chinese', async () => {
    setLocale('zh');
    await openDetail('db');
    await waitFor(() => expect(byTestId('snapshot-take').textContent).toContain('创建快照'));
    expect(byTestId('detail-media').textContent).toContain('弹出');
  });
});

describe('clone', () => {
  it('is refused while the VM runs, before anything is sent', async () => {
    await openDetail('web');
    await fireEvent.click(byTestId('detail-clone'));
    expect(byTestId('clone-running')).toBeTruthy();
    expect(byTestId<HTMLButtonElement>('clone-create').disabled).toBe(true);
  });

  it('checks the name, then starts a linked clone in a chosen pool as a task', async () => {
    await openDetail('db');
    await fireEvent.click(byTestId('detail-clone'));
    expect(byTestId<HTMLInputElement>('clone-name').value).toBe('db-clone');
    await fireEvent.input(byTestId('clone-name'), { target: { value: 'db<2' } });
    await fireEvent.click(byTestId('clone-create'));
    expect(byTestId('clone-name-problem').textContent).toContain('<');
    expect(fake.api.calls.some((c) => c.startsWith('clone_vm'))).toBe(false);
    await fireEvent.input(byTestId('clone-name'), { target: { value: 'web' } });
    await fireEvent.click(byTestId('clone-create'));
    await waitFor(() => expect(byTestId('clone-error').textContent).toContain('already exists'));
    await fireEvent.input(byTestId('clone-name'), { target: { value: 'db2' } });
    await fireEvent.click(byTestId('clone-mode-linked'));
    await waitFor(() => expect(q('[data-testid="clone-pool"] option[value="default"]')).not.toBeNull());
    await fireEvent.change(byTestId('clone-pool'), { target: { value: 'default' } });
    await fireEvent.click(byTestId('clone-create'));
    await waitFor(() => expect(q('[data-testid="clone-name"]')).toBeNull());
    expect(fake.api.calls).toContain('clone_vm 1 uuid-db db2 linked');
    const task = fake.api.storage.tasks.find((t) => t.kind === 'clone_vm')!;
    expect(task.target).toBe('db2');
    fake.api.storage.finish(task.id);
    await fireEvent.click(byTestId('detail-back'));
    await waitFor(() => expect(q('tr[data-vm="db2"]')).not.toBeNull());
  });
});
