// The IP pools page in the whole window against the fake backend: the list with usage, a
// new pool (the core's refusals shown), taking, reserving and assigning addresses (the
// network gets the static host), releasing and deleting after asking, and Chinese labels.
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import App from './App.svelte';
import { formatIp, parseIp, parseSpan, usage } from './ippools/addresses';
import { FakeApi } from './lib/fake-api';
import { setLocale } from './lib/i18n';
import { host, vm } from './lib/testing';
import { fakeNetwork } from './networks/fake-networks';

const fake = vi.hoisted(() => ({ api: null as unknown as FakeApi }));
vi.mock('./lib/api', () => ({
  get api() {
    return fake.api;
  },
}));

const byTestId = <T extends HTMLElement = HTMLElement>(id: string) => screen.getByTestId(id) as T;
const q = (css: string) => document.querySelector<HTMLElement>(css);
const type = (id: string, value: string) => fireEvent.input(byTestId(id), { target: { value } });

beforeEach(() => {
  setLocale('en');
  fake.api = new FakeApi();
  fake.api.hosts = [host({ id: '1', name: 'Lab' })];
  fake.api.vms['1'] = [vm({ name: 'web', state: 'running' })];
  fake.api.networks.nets['1'] = [fakeNetwork({ vms: ['web'] })];
  fake.api.ipPools.nics['1'] = [{ vm: 'web', mac: '52:54:00:00:00:01', network: 'default' }];
  fake.api.ipPools.create('1', { name: 'lab', network: 'default', ranges: ['192.168.122.100-192.168.122.103'] });
});

afterEach(() => setLocale('en'));

/** Waits for a change's reload to end (the form is emptied after it). */
async function settled() {
  await waitFor(() => expect(fake.api.calls.at(-1)).toBe('ip_pool 1 lab'));
  await new Promise((r) => setTimeout(r, 0));
}

async function openPage() {
  render(App);
  await waitFor(() => expect(q('tr[data-vm="web"]')).not.toBeNull());
  await fireEvent.click(byTestId('show-ippools'));
  await waitFor(() => expect(q('tr[data-pool="lab"]')).not.toBeNull());
  await waitFor(() => expect(q('[data-testid="ippool-detail"][data-pool="lab"]')).not.toBeNull());
}

describe('the IP pools page', () => {
  it('lists pools with their network, ranges and use', async () => {
    await openPage();
    const row = q('tr[data-pool="lab"]')!;
    expect(row.textContent).toContain('IPv4');
    expect(row.textContent).toContain('default');
    expect(row.textContent).toContain('192.168.122.100-192.168.122.103');
    expect(row.querySelector('[data-testid="ippool-free"]')?.textContent).toBe('4');
    expect(row.querySelector('[data-testid="ippool-usage"]')?.textContent).toContain('0.0%');
  });

  it('makes a pool, and shows the core refusing a bad range or an overlap', async () => {
    await openPage();
    await fireEvent.click(byTestId('ippool-new'));
    await type('ippool-name', 'v6');
    await type('ippool-ranges', '10.0.0.0/33');
    await fireEvent.click(byTestId('ippool-create'));
    await waitFor(() => expect(byTestId('ippool-error').textContent).toContain("'10.0.0.0/33' is not a subnet"));
    await type('ippool-ranges', '192.168.122.0/24');
    await fireEvent.click(byTestId('ippool-create'));
    await waitFor(() => expect(byTestId('ippool-error').textContent).toContain("pool 'lab' already holds 192.168.122.100"));
    await type('ippool-ranges', 'fd00:5::/64');
    await fireEvent.click(byTestId('ippool-create'));
    await waitFor(() => expect(q('tr[data-pool="v6"]')).not.toBeNull());
    expect(q('tr[data-pool="v6"] [data-testid="ippool-free"]')?.textContent).toBe(String((1n << 64n) - 1n));
    expect(q('tr[data-pool="v6"]')?.textContent).toContain('IPv6');
    expect(fake.api.calls).toContain('create_ip_pool 1 v6');
  });

  it('takes the next free address, reserves one, and refuses a taken one naming its holder', async () => {
    await openPage();
    await type('ippool-take-ip', '192.168.122.100');
    await type('ippool-take-note', 'router');
    await fireEvent.click(byTestId('ippool-reserve'));
    await waitFor(() => expect(q('tr[data-address="192.168.122.100"]')?.dataset.state).toBe('reserved'));
    // The form empties once the change is done.
    await waitFor(() => expect(byTestId<HTMLInputElement>('ippool-take-ip').value).toBe(''));
    await fireEvent.click(byTestId('ippool-allocate'));
    await waitFor(() => expect(byTestId('ippool-given').textContent).toContain('192.168.122.101'));
    await settled();
    await type('ippool-take-ip', '192.168.122.100');
    await fireEvent.click(byTestId('ippool-allocate'));
    await waitFor(() => expect(byTestId('ippool-error').dataset.code).toBe('address_taken'));
    expect(byTestId('ippool-error').textContent).toContain('192.168.122.100 is taken: reserved: router');
    expect(q('tr[data-pool="lab"] [data-testid="ippool-usage"]')?.textContent).toContain('50%');
  });

  it("assigns an address to a VM's NIC, writing the network's static host, then releases it after asking", async () => {
    await openPage();
    await type('ippool-assign-vm', 'web');
    await fireEvent.click(byTestId('ippool-assign'));
    await waitFor(() => expect(q('tr[data-address="192.168.122.100"]')?.textContent).toContain('52:54:00:00:00:01'));
    expect(fake.api.networks.nets['1'][0].ipv4?.hosts).toEqual([{ mac: '52:54:00:00:00:01', ip: '192.168.122.100', name: null }]);
    await fireEvent.click(q('tr[data-address="192.168.122.100"] [data-testid="ippool-release"]')!);
    expect(q('[role="alertdialog"]')?.textContent).toContain('Release 192.168.122.100?');
    await fireEvent.click(byTestId('confirm-ok'));
    await waitFor(() => expect(q('tr[data-address="192.168.122.100"]')).toBeNull());
    expect(fake.api.networks.nets['1'][0].ipv4?.hosts).toEqual([]);
    // A VM without a NIC on the network is refused with the reason.
    await type('ippool-assign-vm', 'db');
    await fireEvent.click(byTestId('ippool-assign'));
    await waitFor(() => expect(byTestId('ippool-error').textContent).toContain("VM 'db' has no NIC on network 'default'"));
  });

  it('asks before deleting a pool, saying its used addresses are released first', async () => {
    await openPage();
    await type('ippool-assign-vm', 'web');
    await fireEvent.click(byTestId('ippool-assign'));
    await waitFor(() => expect(q('tr[data-address="192.168.122.100"]')).not.toBeNull());
    await fireEvent.click(q('tr[data-pool="lab"] [data-testid="ippool-delete"]')!);
    expect(q('[role="alertdialog"]')?.textContent).toContain('1 addresses are used by VMs');
    await fireEvent.click(byTestId('confirm-ok'));
    await waitFor(() => expect(q('tr[data-pool="lab"]')).toBeNull());
    expect(fake.api.calls).toContain('delete_ip_pool 1 lab true');
    expect(fake.api.networks.nets['1'][0].ipv4?.hosts).toEqual([]);
  });

  it('speaks Chinese', async () => {
    setLocale('zh');
    await openPage();
    expect(byTestId('ippools-page').textContent).toContain('IP 地址池');
    expect(byTestId('ippool-detail').textContent).toContain('所有地址都空闲');
  });
});

describe('addresses', () => {
  it('reads ranges as the core does', () => {
    expect(parseSpan('10.0.0.0/24')).toEqual({ family: 4, start: parseIp('10.0.0.1')!.value, end: parseIp('10.0.0.254')!.value });
    expect(parseSpan('10.0.0.0/33')).toBeNull();
    expect(parseSpan('10.0.0.5/24')).toBeNull();
    expect(parseSpan('10.0.0.9-10.0.0.1')).toBeNull();
    expect(formatIp(6, parseIp('fd00:0:0:1::5')!.value)).toBe('fd00:0:0:1::5');
    expect(formatIp(6, parseIp('fd00::')!.value + 1n)).toBe('fd00::1');
    expect(usage('4', 1)).toBe(0.25);
    expect(usage(String(1n << 64n), 5)).toBe(0);
  });
});
