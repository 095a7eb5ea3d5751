// The whole screen against a fake backend, checking the hooks the end-to-end tests rely on
// (data-vm, data-state, data-action, data-stale, confirm-ok, error-banner, data-host-id,
// vm-table, host-warning, the add-host dialog's fields, remove-host, show-history / show-vms,
// history-table, data-history-id).
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import App from './App.svelte';
import { FakeApi } from './lib/fake-api';
import { formatHistoryTime } from './lib/history';
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
const byTestId = <T extends HTMLElement = HTMLElement>(id: string) => screen.getByTestId(id) as T;
const hostItem = (id: string) => document.querySelector<HTMLElement>(`[data-host-id="${id}"]`);
const heading = () => document.querySelector('main h1')?.textContent;

/** Opens the add-host dialog and fills it in with a libvirt URI (without submitting). */
async function fillAddHost(name: string, uri: string) {
  await fireEvent.click(byTestId('add-host'));
  await fireEvent.input(byTestId('host-name-input'), { target: { value: name } });
  await fireEvent.click(byTestId('host-kind-uri'));
  await fireEvent.input(byTestId('host-uri-input'), { target: { value: uri } });
}

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
    const search = screen.getByPlaceholderText('Filter by name or tag');
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

  it('lists VMs in reading order: case ignored, numbers as numbers', async () => {
    const more = ['bench-10', 'bench-2', 'My VM', 'aaa'].map((name) => vm({ name, state: 'shut_off' }));
    fake.api.vms['7'].push(...more);
    // A VM the list does not hold yet makes the app list again.
    fake.api.emit({ kind: 'vm_lifecycle', host_id: '7', uuid: 'uuid-aaa', name: 'aaa', event: 'defined', state: null });
    await waitFor(() => row('aaa'));
    const names = [...document.querySelectorAll('tr[data-vm]')].map((r) => r.getAttribute('data-vm'));
    expect(names).toEqual(['aaa', 'bench-2', 'bench-10', 'db', 'My VM', 'web']);
  });

  it('shows a connected host\'s message as a warning in the sidebar and above the VMs', async () => {
    const message = 'connected, but live updates are off: no event loop';
    fake.api.hosts[0] = { ...fake.api.hosts[0], error: message };
    fake.api.emit({ kind: 'host_status', host_id: '7', status: 'connected', error: message, prompt: null, retrying: true });
    const warning = await screen.findByTestId('host-warning');
    expect(warning.textContent).toBe(message);
    expect(hostItem('7')?.querySelector('[data-testid="host-error"]')).toBeNull();
    expect(byTestId('host-notice').textContent).toContain(message);
    expect(row('db').hasAttribute('data-stale')).toBe(false);
    expect(button('db', 'start').disabled).toBe(false);
  });

  it('shows an empty host', async () => {
    await fireEvent.click(document.querySelector('[data-host-id="8"]')!);
    await screen.findByText('This host has no virtual machines.');
  });
});

describe('adding a host', () => {
  it('opens a dialog focused on the name, submitting only once both fields are filled', async () => {
    await fireEvent.click(byTestId('add-host'));
    const dialog = screen.getByRole('dialog');
    expect(dialog.textContent).toContain('Add a host');
    const name = byTestId<HTMLInputElement>('host-name-input');
    expect(document.activeElement).toBe(name);
    await fireEvent.click(byTestId('host-kind-uri'));
    expect(dialog.textContent).toContain('qemu:///system');
    const uri = byTestId<HTMLInputElement>('host-uri-input');
    expect(uri.placeholder).toBe('qemu+ssh://user@host/system');
    const submit = byTestId<HTMLButtonElement>('add-host-submit');
    expect(submit.disabled).toBe(true);
    await fireEvent.input(name, { target: { value: 'office' } });
    expect(submit.disabled).toBe(true);
    await fireEvent.input(uri, { target: { value: '   ' } });
    expect(submit.disabled).toBe(true);
    await fireEvent.input(uri, { target: { value: 'qemu+ssh://me@office/system' } });
    expect(submit.disabled).toBe(false);
    // WebDriver's Element Clear fires only `change`.
    await fireEvent.change(uri, { target: { value: '' } });
    expect(submit.disabled).toBe(true);
  });

  it('adds the host, closes and selects it', async () => {
    await fillAddHost(' office ', 'qemu+ssh://me@office/system');
    await fireEvent.click(byTestId('add-host-submit'));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(fake.api.calls).toContain('add_host office qemu+ssh://me@office/system');
    await waitFor(() => expect(hostItem('100')?.getAttribute('aria-current')).toBe('true'));
    expect(hostItem('100')?.getAttribute('data-status')).toBe('connecting');
    expect(heading()).toBe('office');
  });

  it('keeps the dialog and the values on an invalid URI, showing the error', async () => {
    await fillAddHost('office', 'system');
    await fireEvent.click(byTestId('add-host-submit'));
    const error = await screen.findByTestId('add-host-error');
    expect(error.getAttribute('data-code')).toBe('invalid_input');
    expect(error.textContent).toContain('The input is not valid.');
    expect(error.textContent).toContain("invalid connection URI: 'system' has no scheme");
    expect(error.textContent).toContain('Correct the value and try again.');
    expect(screen.getByRole('dialog')).toBeTruthy();
    expect(byTestId<HTMLInputElement>('host-name-input').value).toBe('office');
    expect(byTestId<HTMLInputElement>('host-uri-input').value).toBe('system');
    expect(byTestId<HTMLButtonElement>('add-host-submit').disabled).toBe(false);
    expect(hostItem('100')).toBeNull();

    await fireEvent.input(byTestId('host-uri-input'), { target: { value: 'qemu:///system' } });
    await fireEvent.click(byTestId('add-host-submit'));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(hostItem('100')?.textContent).toContain('Local');
  });

  it('explains a name the core would refuse without sending it, in the UI language', async () => {
    setLocale('zh');
    await fillAddHost('x'.repeat(65), 'qemu:///system');
    await fireEvent.click(byTestId('add-host-submit'));
    const problem = byTestId('host-name-problem');
    expect(problem.getAttribute('data-kind')).toBe('too_long');
    expect(problem.textContent).toContain('65');
    expect(problem.textContent).toContain('最多允许 64 个');
    expect(byTestId('host-name-input').getAttribute('aria-invalid')).toBe('true');
    expect(fake.api.count('add_host')).toBe(0);
    await fireEvent.input(byTestId('host-name-input'), { target: { value: 'x'.repeat(64) } });
    expect(screen.queryByTestId('host-name-problem')).toBeNull();
    await fireEvent.click(byTestId('add-host-submit'));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(fake.api.count('add_host')).toBe(1);
  });

  it('shows the new host in name order in the sidebar', async () => {
    await fillAddHost('alpha', 'qemu:///system');
    await fireEvent.click(byTestId('add-host-submit'));
    await waitFor(() => expect(hostItem('100')).not.toBeNull());
    const order = [...document.querySelectorAll('[data-host-id]')].map((el) => el.getAttribute('data-host-id'));
    expect(order).toEqual(['100', '7', '8']);
  });

  it('translates a duplicate-name error', async () => {
    setLocale('zh');
    await fillAddHost('Demo', 'qemu:///system');
    await fireEvent.click(byTestId('add-host-submit'));
    const error = await screen.findByTestId('add-host-error');
    expect(error.textContent).toContain('输入无效。');
    expect(error.textContent).toContain("a host named 'Demo' already exists");
  });

  it('disables the submit button while the request is under way', async () => {
    let open!: () => void;
    fake.api.addHostGate = new Promise((resolve) => (open = resolve));
    await fillAddHost('office', 'qemu:///system');
    await fireEvent.click(byTestId('add-host-submit'));
    await waitFor(() => expect(byTestId<HTMLButtonElement>('add-host-submit').disabled).toBe(true));
    open();
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
  });

  it('cancels with Escape or the backdrop, and keeps focus inside while open', async () => {
    byTestId('add-host').focus();
    await fillAddHost('office', 'qemu:///system');
    const name = byTestId('host-name-input');
    const submit = byTestId('add-host-submit');
    submit.focus();
    await fireEvent.keyDown(window, { key: 'Tab' });
    expect(document.activeElement).toBe(name);
    await fireEvent.keyDown(window, { key: 'Tab', shiftKey: true });
    expect(document.activeElement).toBe(submit);

    await fireEvent.keyDown(window, { key: 'Escape' });
    expect(screen.queryByRole('dialog')).toBeNull();
    // Focus goes back to where it was.
    expect(document.activeElement).toBe(byTestId('add-host'));

    await fireEvent.click(byTestId('add-host'));
    const backdrop = screen.getByRole('dialog').parentElement!;
    // A drag from a field that ends on the backdrop is no click on it.
    await fireEvent.mouseDown(byTestId('host-name-input'));
    await fireEvent.click(backdrop);
    expect(screen.queryByRole('dialog')).not.toBeNull();
    await fireEvent.mouseDown(backdrop);
    await fireEvent.click(backdrop);
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(fake.api.count('add_host')).toBe(0);
  });
});

describe('removing a host', () => {
  it('asks first, then forgets the host and selects the first one left', async () => {
    await fireEvent.click(byTestId('remove-host'));
    const question = screen.getByRole('alertdialog');
    expect(question.textContent).toContain('Remove “Demo”?');
    expect(question.textContent).toContain('not touched');
    await fireEvent.click(within(question).getByText('Cancel'));
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(fake.api.count('remove_host')).toBe(0);

    await fireEvent.click(byTestId('remove-host'));
    await fireEvent.click(byTestId('confirm-ok'));
    await waitFor(() => expect(hostItem('7')).toBeNull());
    expect(fake.api.calls).toContain('remove_host 7');
    expect(hostItem('8')?.getAttribute('aria-current')).toBe('true');
    expect(heading()).toBe('lab');
  });

  it('shows a failed removal in the error banner', async () => {
    // Removed meanwhile, e.g. from the command line.
    fake.api.hosts = fake.api.hosts.filter((h) => h.id !== '7');
    await fireEvent.click(byTestId('remove-host'));
    await fireEvent.click(byTestId('confirm-ok'));
    const banner = await screen.findByTestId('error-banner');
    expect(banner.getAttribute('data-code')).toBe('host_not_found');
    expect(banner.textContent).toContain('The host was not found.');
    await waitFor(() => expect(hostItem('7')).toBeNull());
  });
});

describe('history', () => {
  const at = Date.UTC(2025, 2, 4, 13, 5, 9);

  beforeEach(() => {
    fake.api.history = [
      { id: 12, at_ms: at, actor: 'app', host: 'Demo', action: 'destroy', target: 'web', ok: false, detail: "cannot destroy 'web': it is shut off" },
      { id: 11, at_ms: at - 60_000, actor: 'cli', host: 'Demo', action: 'start', target: 'db', ok: true, detail: null },
      { id: 10, at_ms: at - 120_000, actor: 'app', host: 'lab', action: 'snapshot', target: 'x', ok: true, detail: null },
    ];
  });

  const historyRow = (id: number) => document.querySelector<HTMLElement>(`tr[data-history-id="${id}"]`)!;
  const cells = (id: number) => [...historyRow(id).querySelectorAll('td')].map((td) => td.textContent?.trim().replace(/\s+/g, ' '));

  it('switches the main panel to the history and back', async () => {
    expect(byTestId('show-vms').getAttribute('aria-checked')).toBe('true');
    await fireEvent.click(byTestId('show-history'));
    expect(byTestId('show-history').getAttribute('aria-checked')).toBe('true');
    await screen.findByTestId('history-table');
    expect(screen.queryByTestId('vm-table')).toBeNull();
    expect(fake.api.calls).toContain('list_history 200');
    await fireEvent.click(byTestId('show-vms'));
    await screen.findByTestId('vm-table');
    expect(screen.queryByTestId('history-table')).toBeNull();
  });

  it('shows an ok and a failed entry, newest first', async () => {
    await fireEvent.click(byTestId('show-history'));
    await waitFor(() => historyRow(12));
    const ids = [...document.querySelectorAll('tr[data-history-id]')].map((r) => r.getAttribute('data-history-id'));
    expect(ids).toEqual(['12', '11', '10']);

    const failed = cells(12);
    expect(failed[0]).toBe(formatHistoryTime(at, 'en').replace(/\s+/g, ' '));
    expect(failed.slice(1, 4)).toEqual(['Demo', 'Force off', 'web']);
    expect(failed[4]).toBe("Failed cannot destroy 'web': it is shut off");
    expect(failed[5]).toBe('App');
    expect(historyRow(12).querySelector('[data-testid="history-result"]')?.getAttribute('data-ok')).toBe('false');
    expect(historyRow(12).querySelector('time')?.getAttribute('datetime')).toBe('2025-03-04T13:05:09.000Z');

    expect(cells(11).slice(1)).toEqual(['Demo', 'Start', 'db', 'Succeeded', 'Command line']);
    expect(historyRow(11).querySelector('[data-testid="history-result"]')?.getAttribute('data-ok')).toBe('true');
    // An action this UI does not know is shown as recorded.
    expect(cells(10)[2]).toBe('snapshot');
  });

  it('follows the language', async () => {
    await fireEvent.click(byTestId('show-history'));
    await waitFor(() => historyRow(12));
    await fireEvent.change(byTestId('language'), { target: { value: 'zh' } });
    expect(cells(12)[0]).toBe(formatHistoryTime(at, 'zh'));
    expect(cells(12)[2]).toBe('强制关机');
    expect(cells(11).slice(4)).toEqual(['成功', '命令行']);
  });

  it('shows an empty history, refreshes it and reloads it after a change', async () => {
    fake.api.history = [];
    await fireEvent.click(byTestId('show-history'));
    await screen.findByTestId('history-empty');

    fake.api.history = [{ id: 1, at_ms: at, actor: 'cli', host: 'Demo', action: 'reboot', target: 'web', ok: true, detail: null }];
    await fireEvent.click(byTestId('history-refresh'));
    await waitFor(() => historyRow(1));

    await fillAddHost('office', 'qemu:///system');
    await fireEvent.click(byTestId('add-host-submit'));
    await waitFor(() => expect(cells(2).slice(1, 5)).toEqual(['office', 'Add host', 'qemu:///system', 'Succeeded']));
  });

  it('shows a failed load', async () => {
    fake.api.historyError = { code: 'store', message: 'saved state: database is locked', hint: null };
    await fireEvent.click(byTestId('show-history'));
    const error = await screen.findByTestId('history-load-error');
    expect(error.textContent).toContain('Could not load the history');
    expect(error.textContent).toContain('saved state: database is locked');
    expect(screen.queryByTestId('history-table')).toBeNull();

    fake.api.historyError = null;
    await fireEvent.click(byTestId('history-refresh'));
    await screen.findByTestId('history-table');
    expect(screen.queryByTestId('history-load-error')).toBeNull();
  });

  it('goes back to the VMs when a host is picked', async () => {
    await fireEvent.click(byTestId('show-history'));
    await screen.findByTestId('history-table');
    await fireEvent.click(hostItem('8')!);
    await screen.findByTestId('vm-table');
    expect(heading()).toBe('lab');
  });
});

describe('a host that is not connected', () => {
  function disconnect() {
    fake.api.hosts[0] = { ...fake.api.hosts[0], status: 'disconnected', error: 'cannot connect: libvirtd is not running' };
    fake.api.emit({ kind: 'host_status', host_id: '7', status: 'disconnected', error: 'cannot connect: libvirtd is not running', prompt: null, retrying: true });
  }

  const buttons = () => [...document.querySelectorAll<HTMLButtonElement>('[data-testid="vm-table"] [data-action]')];

  it('shows its VMs as stale: unknown state, the last one seen, every action off', async () => {
    expect(byTestId('vm-table').hasAttribute('data-stale')).toBe(false);
    expect(document.querySelectorAll('tr[data-vm]:not([data-stale])')).toHaveLength(2);
    disconnect();
    await waitFor(() => expect(byTestId('vm-table').getAttribute('data-stale')).toBe('true'));
    for (const name of ['web', 'db']) expect(row(name).getAttribute('data-stale')).toBe('true');
    expect(stateOf('db')).toBe('unknown');
    const badge = row('db').querySelector('[data-testid="vm-state"]')!;
    expect(badge.textContent).toBe('Unknown');
    expect(badge.getAttribute('data-last-state')).toBe('shut_off');
    expect(row('db').textContent).toContain('last known: Shut off');
    expect(buttons().length).toBe(12);
    expect(buttons().every((b) => b.disabled)).toBe(true);
    expect(screen.getByTestId('vm-stale-notice').textContent).toContain('state is unknown');
  });

  it('says so in Chinese too', async () => {
    setLocale('zh');
    disconnect();
    await waitFor(() => expect(stateOf('web')).toBe('unknown'));
    const badge = row('web').querySelector('[data-testid="vm-state"]')!;
    expect(badge.textContent).toBe('未知');
    expect(row('web').textContent).toContain('上次已知：运行中');
  });

  it('does the same while connecting', async () => {
    fake.api.emit({ kind: 'host_status', host_id: '7', status: 'connecting', error: null, prompt: null, retrying: true });
    await waitFor(() => expect(row('web').getAttribute('data-stale')).toBe('true'));
    expect(buttons().every((b) => b.disabled)).toBe(true);
  });

  it('comes back live once the host reconnects and is listed again', async () => {
    disconnect();
    await waitFor(() => expect(stateOf('db')).toBe('unknown'));
    fake.api.hosts[0] = { ...fake.api.hosts[0], status: 'connected', error: null };
    fake.api.emit({ kind: 'host_status', host_id: '7', status: 'connected', error: null, prompt: null, retrying: true });
    await waitFor(() => expect(stateOf('db')).toBe('shut_off'));
    // The hook the end-to-end test waits on once libvirtd is back.
    expect(document.querySelector('tr[data-vm="db"]:not([data-stale])')).not.toBeNull();
    expect(button('db', 'start').disabled).toBe(false);
    expect(screen.queryByTestId('vm-stale-notice')).toBeNull();
  });
});

describe('consoles', () => {
  const consoleButton = (name: string) => row(name).querySelector<HTMLButtonElement>('[data-testid="vm-console"]')!;
  const tabs = () => screen.queryAllByTestId('console-tab');
  // jsdom has no 2D context (and says so on every call); the view draws nothing without one.
  beforeEach(() => void vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockReturnValue(null));
  afterEach(() => vi.restoreAllMocks());

  it('opens from a running VM\'s row only, in a tab named after the VM and its host', async () => {
    expect(consoleButton('db').disabled).toBe(true);
    await fireEvent.click(consoleButton('web'));
    await waitFor(() => expect(byTestId('console-state').dataset.state).toBe('connected'));
    expect(tabs().map((t) => t.textContent)).toEqual(['webDemo']);
    expect(tabs()[0].getAttribute('aria-selected')).toBe('true');
    expect(fake.api.calls).toContain('open_console 7 uuid-web');
    // Opening it again shows the tab already open.
    await fireEvent.click(byTestId('console-tab-vms'));
    await fireEvent.click(consoleButton('web'));
    expect(tabs()).toHaveLength(1);
    expect(fake.api.calls.filter((c) => c.startsWith('open_console'))).toHaveLength(1);
  });

  it('keeps the console open behind the VM list, and closes it with its tab', async () => {
    await fireEvent.click(consoleButton('web'));
    await waitFor(() => expect(fake.api.consoles.size).toBe(1));
    await fireEvent.click(byTestId('console-tab-vms'));
    expect(byTestId('vm-table').closest('.hidden')).toBeNull();
    expect(byTestId('console-view').classList.contains('hidden')).toBe(true);
    expect(fake.api.consoles.size).toBe(1);
    await fireEvent.click(tabs()[0]);
    await fireEvent.click(byTestId('console-close'));
    await waitFor(() => expect(screen.queryByTestId('console-view')).toBeNull());
    expect(tabs()).toHaveLength(0);
    await waitFor(() => expect(fake.api.consoles.size).toBe(0));
  });

  it('reopens view-only when asked', async () => {
    await fireEvent.click(consoleButton('web'));
    await waitFor(() => expect(byTestId('console-state').dataset.state).toBe('connected'));
    await fireEvent.click(byTestId('console-view-only'));
    await waitFor(() => expect(fake.api.calls).toContain('open_console 7 uuid-web view-only'));
    await waitFor(() => expect(fake.api.consoles.size).toBe(1));
    expect((byTestId('console-view-only') as HTMLInputElement).checked).toBe(true);
  });

  it('goes back to the VMs when a host is picked', async () => {
    await fireEvent.click(consoleButton('web'));
    await waitFor(() => expect(tabs()[0].getAttribute('aria-selected')).toBe('true'));
    await fireEvent.click(hostItem('7')!);
    expect(byTestId('console-tab-vms').getAttribute('aria-selected')).toBe('true');
  });
});
