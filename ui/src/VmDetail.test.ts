// The VM detail page in the whole window against the fake backend: opened from a row, its
// configuration changes with their outcome (now, or from the next boot and why), disks and
// NICs added, changed and removed (removals ask first), the guest password's refusal, and
// the page in Chinese. The hooks e2e_vm_detail drives in the real window.
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import App from './App.svelte';
import { FakeApi } from './lib/fake-api';
import { fakeDetail } from './lib/fake-vm-config';
import { fakePool } from './lib/fake-storage';
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

beforeEach(() => {
  setLocale('en');
  fake.api = new FakeApi();
  fake.api.hosts = [host({ id: '1', name: 'Lab' })];
  fake.api.vms['1'] = [vm({ name: 'web', state: 'running', vcpus: 2 }), vm({ name: 'db', state: 'shut_off' })];
  fake.api.storage.addPool('1', fakePool({ name: 'default' }));
  fake.api.storage.networks = ['default', 'lab-net'];
});

afterEach(() => setLocale('en'));

describe('the VM detail page', () => {
  it('opens from the row, shows the VM, and goes back to the list', async () => {
    await openDetail('web');
    expect(byTestId('vm-detail').dataset.vm).toBe('web');
    expect(q('[data-testid="disk-row-vda"]')?.textContent).toContain('web.qcow2');
    expect(q('[data-testid="disk-row-sda"]')?.textContent).toContain('CD-ROM');
    expect(q('[data-testid="nic-row-52:54:00:00:00:01"]')?.textContent).toContain('vnet0');
    await fireEvent.click(byTestId('detail-back'));
    await waitFor(() => expect(q('tr[data-vm="db"]')).not.toBeNull());
    expect(q('[data-testid="vm-detail"]')).toBeNull();
  });

  it('says a vCPU count beyond the running maximum is kept for the next boot, and why', async () => {
    await openDetail('web');
    await fireEvent.input(byTestId('detail-vcpus'), { target: { value: '8' } });
    await fireEvent.click(byTestId('detail-vcpus-apply'));
    await waitFor(() => expect(byTestId('detail-config-outcome').dataset.outcome).toBe('next_boot'));
    expect(byTestId('detail-config-outcome').textContent).toContain('the running VM has at most 4 vCPUs');
    expect(byTestId('detail-config').textContent).toContain('Next boot: 8');
    expect(fake.api.calls).toContain('change_vm 1 uuid-web {"kind":"vcpus","count":8}');
    await fireEvent.input(byTestId('detail-vcpus'), { target: { value: '3' } });
    await fireEvent.click(byTestId('detail-vcpus-apply'));
    await waitFor(() => expect(byTestId('detail-config-outcome').dataset.outcome).toBe('now'));
  });

  it('refuses a tag the core would refuse before sending, and saves good ones', async () => {
    await openDetail('web');
    await fireEvent.input(byTestId('detail-tags'), { target: { value: 'web, a/b' } });
    expect(byTestId('detail-tags-problem').textContent).toContain("'a/b'");
    expect(byTestId<HTMLButtonElement>('detail-tags-save').disabled).toBe(true);
    await fireEvent.input(byTestId('detail-tags'), { target: { value: 'web, prod , web' } });
    await fireEvent.click(byTestId('detail-tags-save'));
    await waitFor(() => expect(fake.api.config.details['uuid-web'].tags).toEqual(['web', 'prod']));
  });

  it("shows the core's refusal of a change where it was made", async () => {
    await openDetail('web');
    fake.api.config.changeError = { code: 'invalid_input', message: 'invalid memory: 99999999 MiB is beyond the host', hint: null };
    await fireEvent.input(byTestId('detail-memory'), { target: { value: '99999999' } });
    await fireEvent.click(byTestId('detail-memory-apply'));
    await waitFor(() => expect(byTestId('detail-config-outcome').dataset.outcome).toBe('refused'));
    expect(byTestId('detail-config-outcome').textContent).toContain('beyond the host');
  });

  it('adds a new disk in a pool, and detaching one asks whether its volume goes too', async () => {
    await openDetail('web');
    await fireEvent.click(byTestId('disk-add-open'));
    await waitFor(() => expect(q('[data-testid="disk-add-pool"] option')?.textContent).toBe('default'));
    await fireEvent.input(byTestId('disk-add-size'), { target: { value: '2' } });
    await fireEvent.click(byTestId('disk-add'));
    await waitFor(() => expect(q('[data-testid="disk-row-vdb"]')).not.toBeNull());
    expect(fake.api.calls).toContain(`change_vm 1 uuid-web {"kind":"add_disk","disk":{"kind":"new","pool":"default","capacity":${2 * 2 ** 30}},"bus":"virtio"}`);
    await fireEvent.click(byTestId('disk-remove-vdb'));
    expect(q('[role="alertdialog"]')?.textContent).toContain('Detach vdb from web?');
    await fireEvent.click(byTestId('disk-remove-volume'));
    await fireEvent.click(byTestId('confirm-ok'));
    await waitFor(() => expect(q('[data-testid="disk-row-vdb"]')).toBeNull());
    expect(fake.api.calls).toContain('change_vm 1 uuid-web {"kind":"remove_disk","target":"vdb","delete_volume":true}');
  });

  it('moves a NIC to another network, refuses a multicast MAC, and removes a NIC after asking', async () => {
    await openDetail('web');
    await waitFor(() => expect(q('[data-testid="nic-network-52:54:00:00:00:01"] option[value="lab-net"]')).not.toBeNull());
    await fireEvent.change(byTestId('nic-network-52:54:00:00:00:01'), { target: { value: 'lab-net' } });
    await waitFor(() => expect(fake.api.config.details['uuid-web'].nics[0].network).toBe('lab-net'));
    await fireEvent.click(byTestId('nic-add-open'));
    await fireEvent.input(byTestId('nic-add-mac'), { target: { value: '01:00:00:00:00:01' } });
    expect(byTestId<HTMLButtonElement>('nic-add').disabled).toBe(true);
    expect(byTestId('nic-add-form').textContent).toContain('01:00:00:00:00:01');
    await fireEvent.input(byTestId('nic-add-mac'), { target: { value: '' } });
    await fireEvent.click(byTestId('nic-add'));
    await waitFor(() => expect(fake.api.config.details['uuid-web'].nics).toHaveLength(2));
    await fireEvent.click(byTestId('nic-remove-52:54:00:00:00:01'));
    await fireEvent.click(byTestId('confirm-ok'));
    await waitFor(() => expect(q('[data-testid="nic-row-52:54:00:00:00:01"]')).toBeNull());
  });

  it("shows the guest agent's absence as the core says it", async () => {
    fake.api.config.details['uuid-web'] = fakeDetail(fake.api.vms['1'][0], { agent_channel: false });
    await openDetail('web');
    expect(byTestId('detail-password').textContent).toContain('no guest agent channel');
    await fireEvent.input(byTestId('password-new'), { target: { value: 's3cret' } });
    await fireEvent.click(byTestId('password-set'));
    await waitFor(() => expect(byTestId('detail-password-outcome').dataset.outcome).toBe('refused'));
    expect(byTestId('detail-password-outcome').textContent).toContain('no guest agent');
    expect(fake.api.calls.join('\n')).not.toContain('s3cret');
  });

  it('follows the VM: a stopped VM cannot have its password set, and the page reads in Chinese', async () => {
    setLocale('zh');
    await openDetail('db');
    expect(byTestId<HTMLButtonElement>('password-set').disabled).toBe(true);
    expect(byTestId('detail-config').textContent).toContain('随主机启动');
    expect(byTestId('detail-disks').textContent).toContain('添加磁盘');
  });
});
