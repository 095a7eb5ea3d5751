// The whole screen against a fake backend, checking the hooks the end-to-end tests rely on
// (data-vm, data-state, data-action, confirm-ok, error-banner, data-host-id, vm-table).
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import App from './App.svelte';
import { FakeApi } from './lib/fake-api';
import { setLocale } from './lib/i18n';
import { host, vm } from './lib/testing';

const fake = vi.hoisted(() => ({ api: null as unknown as FakeApi }));
// A getter, so each test's fresh FakeApi is what App picks up when it renders.
vi.mock('./lib/api', () => ({
  get api() {
    return fake.api;
  },
}));

function row(name: string): HTMLElement {
  const el = document.querySelector<HTMLElement>(`tr[data-vm="${name}"]`);
  if (!el) throw new Error(`no row for ${name}`);
  return el;
}

const button = (name: string, action: string) =>
  row(name).querySelector<HTMLButtonElement>(`[data-action="${action}"]`)!;
const stateOf = (name: string) => row(name).querySelector('[data-testid="vm-state"]')?.getAttribute('data-state');

beforeEach(async () => {
  setLocale('en');
  fake.api = new FakeApi();
  fake.api.hosts = [
    host({ id: '7', name: 'Demo', kind: 'demo' }),
    host({ id: '8', name: 'lab', kind: 'remote', status: 'disconnected', error: 'cannot connect to qemu+ssh://lab/system' }),
  ];
  fake.api.vms = {
    '7': [vm({ name: 'web', state: 'running' }), vm({ name: 'db', state: 'shut_off', cpu_percent: null, memory_rss_kib: null })],
  };
  render(App);
  await waitFor(() => row('web'));
});

afterEach(() => setLocale('en'));

describe('App', () => {
  it('lists hosts with their kind and errors, the first one selected', () => {
    const demo = document.querySelector<HTMLElement>('[data-host-id="7"]')!;
    expect(demo.textContent).toContain('Demo (test driver)');
    expect(demo.getAttribute('aria-current')).toBe('true');
    const lab = document.querySelector<HTMLElement>('[data-host-id="8"]')!;
    expect(lab.textContent).toContain('cannot connect to qemu+ssh://lab/system');
  });

  it('shows each VM with its raw state and the allowed actions', () => {
    expect(screen.getByTestId('vm-table')).toBeTruthy();
    expect(stateOf('web')).toBe('running');
    expect(stateOf('db')).toBe('shut_off');
    expect(button('web', 'start').disabled).toBe(true);
    expect(button('web', 'shutdown').disabled).toBe(false);
    expect(button('web', 'resume').disabled).toBe(true);
    expect(button('db', 'start').disabled).toBe(false);
    expect(button('db', 'destroy').disabled).toBe(true);
    expect(within(row('db')).getByText('—')).toBeTruthy();
  });

  it('updates a row as soon as a lifecycle event arrives', async () => {
    fake.api.emit({ kind: 'vm_lifecycle', host_id: '7', uuid: 'uuid-db', name: 'db', event: 'started', state: 'running' });
    await waitFor(() => expect(stateOf('db')).toBe('running'));
    expect(button('db', 'start').disabled).toBe(true);
  });

  it('asks before forcing a VM off', async () => {
    await fireEvent.click(button('web', 'destroy'));
    expect(screen.getByRole('alertdialog').textContent).toContain('Force off “web”?');
    await fireEvent.click(screen.getByText('Cancel'));
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(fake.api.calls).not.toContain('vm_action 7 web destroy');

    await fireEvent.click(button('web', 'destroy'));
    await fireEvent.click(screen.getByTestId('confirm-ok'));
    await waitFor(() => expect(fake.api.calls).toContain('vm_action 7 web destroy'));
  });

  it('disables the row while an action runs', async () => {
    let open!: () => void;
    fake.api.actionGate = new Promise((resolve) => (open = resolve));
    await fireEvent.click(button('web', 'reboot'));
    await waitFor(() => expect(button('web', 'reboot').getAttribute('aria-busy')).toBe('true'));
    expect(button('web', 'shutdown').disabled).toBe(true);
    expect(button('db', 'start').disabled).toBe(false);
    open();
    await waitFor(() => expect(button('web', 'shutdown').disabled).toBe(false));
  });

  it('shows a failed action in a dismissible banner, translated', async () => {
    setLocale('zh');
    fake.api.actionError = { code: 'invalid_state', message: "cannot suspend 'web': it is paused", hint: 'Wait.' };
    await fireEvent.click(button('web', 'suspend'));
    const banner = await screen.findByTestId('error-banner');
    expect(banner.textContent).toContain('此操作不适用于虚拟机的当前状态。');
    expect(banner.textContent).toContain("cannot suspend 'web': it is paused");
    await fireEvent.click(within(banner).getByRole('button'));
    expect(screen.queryByTestId('error-banner')).toBeNull();
  });

  it('filters by name and state', async () => {
    const search = screen.getByPlaceholderText('Filter by name');
    await fireEvent.input(search, { target: { value: 'WE' } });
    expect(document.querySelectorAll('tr[data-vm]')).toHaveLength(1);
    await fireEvent.input(search, { target: { value: '' } });
    await fireEvent.click(document.querySelector('[data-filter="stopped"]')!);
    expect([...document.querySelectorAll('tr[data-vm]')].map((r) => r.getAttribute('data-vm'))).toEqual(['db']);
  });

  it('switches language from the header', async () => {
    const select = screen.getByRole('combobox') as HTMLSelectElement;
    await fireEvent.change(select, { target: { value: 'zh' } });
    expect(screen.getByText('主机')).toBeTruthy();
    expect(row('web').textContent).toContain('运行中');
    expect(stateOf('web')).toBe('running');
  });

  it('shows an empty host', async () => {
    await fireEvent.click(document.querySelector('[data-host-id="8"]')!);
    await screen.findByText('This host has no virtual machines.');
  });
});
