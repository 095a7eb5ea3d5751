// The Networks page in the whole window against the fake backend: the list and its filters,
// a new network (checked here first, then by the core), the detail with static hosts and
// leases, the questions before a stop or delete (naming the VMs that will lose their NICs),
// libvirt's network events, and the Chinese labels.
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import App from './App.svelte';
import { FakeApi } from './lib/fake-api';
import { setLocale } from './lib/i18n';
import { host, vm } from './lib/testing';
import { fakeNetwork } from './networks/fake-networks';
import { autoRange, emptyHostForm, hostProblems, rangeSize } from './networks/network-form';

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
  fake.api.networks.nets['1'] = [
    fakeNetwork({ vms: ['web'] }),
    fakeNetwork({ name: 'lan', kind: 'bridge', mode: 'bridge', bridge: 'br0', ipv4: null }),
    fakeNetwork({ name: 'lab', active: false, bridge: 'virbr3', ipv4: { cidr: '10.5.0.0/24', gateway: '10.5.0.1', dhcp: { start: '10.5.0.10', end: '10.5.0.19' }, hosts: [] } }),
  ];
  fake.api.networks.leases['1'] = {
    default: [
      { ip: '192.168.122.50', prefix: 24, mac: '52:54:00:00:00:01', hostname: 'web', vm: 'web', expiry: 0, is_static: true },
      { ip: '192.168.122.77', prefix: 24, mac: '52:54:00:00:00:02', hostname: null, vm: null, expiry: 1_900_000_000, is_static: false },
    ],
  };
});

afterEach(() => setLocale('en'));

async function openPage() {
  render(App);
  await waitFor(() => expect(q('tr[data-vm="web"]')).not.toBeNull());
  await fireEvent.click(byTestId('show-networks'));
  await waitFor(() => expect(q('tr[data-network="default"]')).not.toBeNull());
}

describe('the networks page', () => {
  it('lists every network with kind, state, bridge, subnets and VMs, and filters them', async () => {
    await openPage();
    const row = q('tr[data-network="default"]')!;
    expect(row.textContent).toContain('NAT');
    expect(row.textContent).toContain('virbr0');
    expect(row.textContent).toContain('192.168.122.0/24');
    expect(row.textContent).toContain('web');
    expect(q('tr[data-network="lab"] [data-testid="net-state"]')?.dataset.state).toBe('inactive');
    await fireEvent.change(byTestId('net-filter-kind'), { target: { value: 'bridge' } });
    expect(document.querySelectorAll('tr[data-network]').length).toBe(1);
    expect(q('tr[data-network="lan"]')).not.toBeNull();
    await fireEvent.change(byTestId('net-filter-kind'), { target: { value: 'all' } });
    await fireEvent.change(byTestId('net-filter-state'), { target: { value: 'inactive' } });
    expect([...document.querySelectorAll('tr[data-network]')].map((r) => (r as HTMLElement).dataset.network)).toEqual(['lab']);
    await fireEvent.change(byTestId('net-filter-state'), { target: { value: 'all' } });
    await type('net-search', 'LA');
    expect([...document.querySelectorAll('tr[data-network]')].map((r) => (r as HTMLElement).dataset.network)).toEqual(['lan', 'lab']);
  });

  it('shows the chosen network: range use, static hosts and leases with their VM', async () => {
    await openPage();
    await waitFor(() => expect(q('tr[data-lease="192.168.122.50"]')).not.toBeNull());
    expect(byTestId('net-range-4').textContent).toBe('192.168.122.2 – 192.168.122.254');
    expect(byTestId('net-usage-4').textContent).toContain('1 of 253 addresses leased');
    expect(q('tr[data-lease="192.168.122.50"] [data-testid="lease-vm"]')?.textContent).toBe('web');
    expect(q('tr[data-lease="192.168.122.50"]')?.textContent).toContain('static');
    expect(q('tr[data-lease="192.168.122.77"]')?.textContent).toContain('dynamic');
    // A stopped network has no leases to read.
    await fireEvent.click(q('tr[data-network="lab"] [data-testid="net-open"]')!);
    await waitFor(() => expect(byTestId('net-detail').dataset.network).toBe('lab'));
    expect(byTestId('net-leases').textContent).toContain('The network is stopped');
    expect(fake.api.calls).not.toContain('network_leases 1 lab');
  });

  it('makes a network from the form, with the DHCP range the subnet suggests', async () => {
    await openPage();
    await fireEvent.click(byTestId('net-new'));
    await fireEvent.click(byTestId('net-create'));
    expect(byTestId('net-name-problem').textContent).toContain('letters, digits');
    expect(byTestId('net-cidr4-problem').textContent).toContain('NAT network needs an IPv4 subnet');
    expect(fake.api.calls.some((c) => c.startsWith('create_network'))).toBe(false);
    await type('net-name', 'lab50');
    await type('net-cidr4', '192.168.50.0/24');
    expect(q('[data-testid="net-dhcp4"] option[value="auto"]')?.textContent).toBe('192.168.50.2 – 192.168.50.254');
    await fireEvent.click(byTestId('net-create'));
    await waitFor(() => expect(q('tr[data-network="lab50"]')).not.toBeNull());
    expect(fake.api.calls).toContain('create_network 1 lab50');
    await waitFor(() => expect(byTestId('net-detail').dataset.network).toBe('lab50'));
    expect(byTestId('net-range-4').textContent).toBe('192.168.50.2 – 192.168.50.254');
    expect(fake.api.history[0]).toMatchObject({ action: 'create_network', target: 'lab50', ok: true });
  });

  it('makes the host bridge first when asked, and removes it again if the network is refused', async () => {
    await openPage();
    await fireEvent.click(byTestId('net-new'));
    await type('net-name', 'lanbr');
    await fireEvent.change(byTestId('net-kind'), { target: { value: 'bridge' } });
    await type('net-bridge', 'br7');
    await fireEvent.click(byTestId('net-make-bridge'));
    await type('net-bridge-nic', 'eth9');
    await fireEvent.click(byTestId('net-create'));
    await waitFor(() => expect(q('tr[data-network="lanbr"]')).not.toBeNull());
    expect(fake.api.calls.filter((c) => c.startsWith('create_'))).toEqual(['create_bridge 1 br7 eth9', 'create_network 1 lanbr']);
    expect(fake.api.networks.bridges['1']).toEqual(['br7']);
    await waitFor(() => expect(q('[data-testid="net-form"]')).toBeNull());
    // A network the core refuses (its name is taken): the bridge made for it goes again.
    await fireEvent.click(byTestId('net-new'));
    await type('net-name', 'lanbr');
    await fireEvent.change(byTestId('net-kind'), { target: { value: 'bridge' } });
    await type('net-bridge', 'br8');
    await fireEvent.click(byTestId('net-make-bridge'));
    await fireEvent.click(byTestId('net-create'));
    await waitFor(() => expect(byTestId('net-error').dataset.code).toBe('already_exists'));
    expect(fake.api.calls).toContain('delete_bridge 1 br8');
    expect(fake.api.networks.bridges['1']).toEqual(['br7']);
  });

  it("shows the core's refusal: an overlap named, a subnet with host bits", async () => {
    await openPage();
    await fireEvent.click(byTestId('net-new'));
    await type('net-name', 'clash');
    await type('net-cidr4', '192.168.122.0/24');
    await fireEvent.click(byTestId('net-create'));
    await waitFor(() => expect(byTestId('net-error').textContent).toContain("overlaps network 'default' (192.168.122.0/24)"));
    await type('net-cidr4', '192.168.50.1/24');
    await fireEvent.click(byTestId('net-create'));
    await waitFor(() => expect(byTestId('net-error').textContent).toContain('has host bits set; the subnet is 192.168.50.0/24'));
    expect(q('tr[data-network="clash"]')).toBeNull();
  });

  it('asks before deleting a network VMs use, naming them, and then detaches them', async () => {
    await openPage();
    await fireEvent.click(q('tr[data-network="default"] [data-testid="net-delete"]')!);
    const dialog = document.querySelector('[role="alertdialog"]')!;
    expect(dialog.textContent).toContain('Delete network default?');
    expect(dialog.textContent).toContain('These VMs have NICs on it: web');
    await fireEvent.click(byTestId('confirm-ok'));
    await waitFor(() => expect(q('tr[data-network="default"]')).toBeNull());
    expect(fake.api.calls).toContain('delete_network 1 default true');
  });

  it('stops an unused network at once and starts it again; a stop of a used one asks first', async () => {
    await openPage();
    await fireEvent.click(q('tr[data-network="lab"] [data-testid="net-start"]')!);
    await waitFor(() => expect(q('tr[data-network="lab"] [data-testid="net-state"]')?.dataset.state).toBe('active'));
    await fireEvent.click(q('tr[data-network="lab"] [data-testid="net-stop"]')!);
    await waitFor(() => expect(q('tr[data-network="lab"] [data-testid="net-state"]')?.dataset.state).toBe('inactive'));
    expect(fake.api.calls).toContain('network_action 1 lab stop false');
    await fireEvent.click(q('tr[data-network="default"] [data-testid="net-stop"]')!);
    expect(document.querySelector('[role="alertdialog"]')?.textContent).toContain('Stop network default?');
    await fireEvent.click(screen.getByText('Cancel'));
    expect(fake.api.calls).not.toContain('network_action 1 default stop true');
  });

  it('adds a static host (checked first) and removes it after asking', async () => {
    await openPage();
    await type('net-host-ip', '192.168.122.9');
    await fireEvent.click(byTestId('net-host-add'));
    expect(byTestId('net-host-mac-problem').textContent).toContain('needs the MAC');
    await type('net-host-mac', '52:54:00:AB:CD:EF');
    await type('net-host-name', 'db');
    await fireEvent.click(byTestId('net-host-add'));
    await waitFor(() => expect(q('tr[data-host="192.168.122.9"]')).not.toBeNull());
    expect(q('tr[data-host="192.168.122.9"]')?.textContent).toContain('52:54:00:ab:cd:ef');
    // The same address again: the core's refusal.
    await waitFor(() => expect(byTestId<HTMLInputElement>('net-host-ip').value).toBe(''));
    await type('net-host-ip', '192.168.122.9');
    await type('net-host-mac', '52:54:00:00:00:09');
    await fireEvent.click(byTestId('net-host-add'));
    await waitFor(() => expect(byTestId('net-error').textContent).toContain('already gives 192.168.122.9'));
    await fireEvent.click(q('tr[data-host="192.168.122.9"] [data-testid="net-host-remove"]')!);
    expect(document.querySelector('[role="alertdialog"]')?.textContent).toContain('Remove the static host 192.168.122.9?');
    await fireEvent.click(byTestId('confirm-ok'));
    await waitFor(() => expect(q('tr[data-host="192.168.122.9"]')).toBeNull());
  });

  it('changes the DHCP range', async () => {
    await openPage();
    await fireEvent.click(byTestId('net-range-edit-4'));
    await type('net-range-start', '192.168.122.100');
    await type('net-range-end', '192.168.122.150');
    await fireEvent.click(byTestId('net-range-save'));
    await waitFor(() => expect(byTestId('net-range-4').textContent).toBe('192.168.122.100 – 192.168.122.150'));
    expect(fake.api.calls).toContain('set_network_ip 1 default 192.168.122.0/24 192.168.122.100-192.168.122.150');
  });

  it("reads the list again on libvirt's network events for the host", async () => {
    await openPage();
    fake.api.networks.nets['1'].push(fakeNetwork({ name: 'made-elsewhere', bridge: 'virbr9' }));
    fake.api.emit({ kind: 'network_lifecycle', host_id: '1', name: 'made-elsewhere', event: 'defined' });
    await waitFor(() => expect(q('tr[data-network="made-elsewhere"]')).not.toBeNull());
  });

  it('speaks Chinese', async () => {
    setLocale('zh');
    await openPage();
    expect(byTestId('show-networks').textContent).toBe('网络');
    expect(q('tr[data-network="lab"] [data-testid="net-state"]')?.textContent).toBe('未活动');
    expect(q('tr[data-network="lan"]')?.textContent).toContain('主机网桥');
  });
});

describe('the network forms', () => {
  it('suggest a range and count it', () => {
    expect(autoRange('10.0.0.0/16')).toEqual({ start: '10.0.0.2', end: '10.0.255.254' });
    expect(autoRange('10.0.0.0/30')).toBeNull();
    expect(autoRange('fd00::/64')).toBeNull();
    expect(rangeSize({ start: '10.0.0.10', end: '10.0.0.19' })).toBe(10);
    expect(rangeSize({ start: '10.0.0.19', end: '10.0.0.10' })).toBeNull();
  });

  it('check a static host', () => {
    expect(hostProblems({ ...emptyHostForm(), ip: '10.0.0.5', mac: 'nope' }).mac).toBe('net.problem.mac');
    expect(hostProblems({ ...emptyHostForm(), ip: 'fd00::5' })).toEqual({});
    expect(hostProblems(emptyHostForm()).ip).toBe('net.problem.hostIp');
  });
});
