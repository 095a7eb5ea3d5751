// Hosts and their connections on the whole screen, against the fake backend: adding an SSH
// host and answering what it asks, questions arriving as host_status events (one dialog at a
// time, a badge on each asking host that brings a question put off back), connect /
// disconnect / edit from the host header. Hooks
// for the end-to-end tests: host-kind-*, host-ssh-*, host-prompt, host-key-fingerprint,
// host-key-accept, host-secret, host-secret-submit, host-needs-you, connect-host,
// disconnect-host, edit-host.
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { HostPrompt } from './bindings/HostPrompt';
import App from './App.svelte';
import { fakeFingerprint, FakeApi } from './lib/fake-api';
import { setLocale } from './lib/i18n';
import { host, sshSpec, vm } from './lib/testing';

const fake = vi.hoisted(() => ({ api: null as unknown as FakeApi }));
vi.mock('./lib/api', () => ({
  get api() {
    return fake.api;
  },
}));

const byTestId = <T extends HTMLElement = HTMLElement>(id: string) => screen.getByTestId(id) as T;
const type = (id: string, value: string) => fireEvent.input(byTestId(id), { target: { value } });
const hostItem = (id: string) => document.querySelector<HTMLElement>(`[data-host-id="${id}"]`)!;
/** The sidebar entry of a host, with the badge beside its button. */
const sidebarEntry = (id: string) => hostItem(id).parentElement!;
const prompt = () => screen.queryByTestId('host-prompt');
const KEY: HostPrompt = { kind: 'host_key', key_type: 'ssh-ed25519', fingerprint: 'SHA256:shown' };

/** Sends a host_status event with a question, the fake's host asking the same. */
function ask(hostId: string, question: HostPrompt) {
  const h = fake.api.hosts.find((x) => x.id === hostId)!;
  Object.assign(h, { status: 'disconnected', error: 'needs an answer', prompt: question });
  fake.api.emit({ kind: 'host_status', host_id: hostId, status: 'disconnected', error: 'needs an answer', prompt: question, retrying: false });
}

beforeEach(async () => {
  setLocale('en');
  fake.api = new FakeApi();
  fake.api.hosts = [
    host({ id: '7', name: 'Demo', kind: 'demo' }),
    host({ id: '8', name: 'lab', kind: 'ssh', uri: 'ssh://admin@lab.example.org:2222', ssh: sshSpec({ user: 'admin', host: 'lab.example.org', port: 2222 }) }),
  ];
  fake.api.vms = { '7': [vm({ name: 'web' })], '8': [] };
  render(App);
  await waitFor(() => expect(document.querySelector('tr[data-vm="web"]')).not.toBeNull());
});

describe('adding an SSH host', () => {
  it('asks for its host key, then its password, and connects', async () => {
    fake.api.sshPassword = 'hunter2';
    await fireEvent.click(byTestId('add-host'));
    await type('host-name-input', 'office');
    await type('host-ssh-user', 'me');
    await type('host-ssh-host', 'office.example.org');
    await fireEvent.click(byTestId('host-ssh-auth-password'));
    await fireEvent.click(byTestId('add-host-submit'));
    expect(fake.api.calls).toContain('add_host office ssh://me@office.example.org:22');

    // The host reports that it waits for its key: the question opens by itself.
    const question = await screen.findByTestId('host-prompt');
    expect(question.getAttribute('data-kind')).toBe('host_key');
    expect(question.getAttribute('data-host-id')).toBe('100');
    const fingerprint = fakeFingerprint({ host: 'office.example.org', port: 22 });
    expect(byTestId('host-key-fingerprint').textContent).toBe(fingerprint);
    expect(within(sidebarEntry('100')).getByTestId('host-needs-you')).toBeTruthy();
    await fireEvent.click(byTestId('host-key-accept'));
    expect(fake.api.calls).toContain('answer_prompt 100 accept_host_key');

    await waitFor(() => expect(prompt()?.getAttribute('data-kind')).toBe('password'));
    await type('host-secret', 'wrong');
    await fireEvent.click(byTestId('host-secret-submit'));
    await screen.findByTestId('host-secret-retry');
    expect(byTestId<HTMLInputElement>('host-secret').value).toBe('');

    await type('host-secret', 'hunter2');
    await fireEvent.click(byTestId('host-secret-submit'));
    await waitFor(() => expect(hostItem('100').getAttribute('data-status')).toBe('connected'));
    expect(prompt()).toBeNull();
    expect(screen.queryByTestId('host-needs-you')).toBeNull();
    expect(within(hostItem('100')).getByTestId('host-address').textContent).toBe('me@office.example.org:22');
  });
});

describe('a host that asks', () => {
  it('shows the question of a host_status event, and Cancel sends "not now"', async () => {
    expect(prompt()).toBeNull();
    ask('8', KEY);
    await screen.findByTestId('host-prompt');
    expect(byTestId('host-key-fingerprint').textContent).toBe('SHA256:shown');
    expect(screen.getByRole('alertdialog').textContent).toContain('admin@lab.example.org:2222');
    await fireEvent.click(within(screen.getByRole('alertdialog')).getByText('Cancel'));
    expect(fake.api.calls).toContain('answer_prompt 8 cancel');
    // The core sends no event for it: the question goes all the same.
    await waitFor(() => expect(prompt()).toBeNull());
    expect(screen.queryByTestId('host-needs-you')).toBeNull();
    expect(hostItem('8').getAttribute('data-status')).toBe('disconnected');
  });

  it('shows the core\'s refusal of an answer inside the dialog', async () => {
    ask('8', KEY);
    await screen.findByTestId('host-prompt');
    // The key changed meanwhile: the core refuses the fingerprint shown.
    fake.api.hosts[1].prompt = { ...KEY, fingerprint: 'SHA256:other' };
    await fireEvent.click(byTestId('host-key-accept'));
    const error = await screen.findByTestId('host-prompt-error');
    expect(error.textContent).toContain("invalid host key: the fingerprint given (SHA256:shown) is not the server's (SHA256:other)");
    expect(prompt()).not.toBeNull();
    expect(screen.queryByTestId('error-banner')).toBeNull();
  });

  it('asks one question at a time; the rest wait with a badge', async () => {
    fake.api.hosts.push(host({ id: '9', name: 'zoo', kind: 'ssh', ssh: sshSpec({ host: 'zoo' }) }));
    fake.api.emit({ kind: 'resync', host_id: null });
    await waitFor(() => expect(hostItem('9')).not.toBeNull());
    ask('9', { kind: 'password', retry: false });
    ask('8', KEY);
    await waitFor(() => expect(prompt()?.getAttribute('data-host-id')).toBe('8'));
    expect(screen.getAllByTestId('host-prompt')).toHaveLength(1);
    expect(screen.getAllByTestId('host-needs-you')).toHaveLength(2);
    // Answered (here: "not now"), the next one comes.
    await fireEvent.click(within(prompt()!).getByText('Cancel'));
    await waitFor(() => expect(prompt()?.getAttribute('data-host-id')).toBe('9'));
    expect(prompt()?.getAttribute('data-kind')).toBe('password');
  });

  it('can be put off with Escape, answering nothing, and brought back by its badge', async () => {
    ask('8', KEY);
    await screen.findByTestId('host-prompt');
    await fireEvent.keyDown(window, { key: 'Escape' });
    await waitFor(() => expect(prompt()).toBeNull());
    expect(fake.api.calls.filter((c) => c.startsWith('answer_prompt'))).toEqual([]);
    // The window is usable meanwhile.
    await fireEvent.click(hostItem('8'));
    expect(document.querySelector('main h1')?.textContent).toBe('lab');

    await fireEvent.click(within(sidebarEntry('8')).getByTestId('host-needs-you'));
    await screen.findByTestId('host-prompt');
    expect(byTestId('host-key-fingerprint').textContent).toBe('SHA256:shown');
  });

  it('opens again by itself when the host asks something new', async () => {
    ask('8', KEY);
    await screen.findByTestId('host-prompt');
    await fireEvent.keyDown(window, { key: 'Escape' });
    await waitFor(() => expect(prompt()).toBeNull());
    ask('8', { kind: 'password', retry: false });
    await waitFor(() => expect(prompt()?.getAttribute('data-kind')).toBe('password'));
  });

  it('waits while the host dialog is open, and stays on top of a confirmation', async () => {
    await fireEvent.click(byTestId('add-host'));
    ask('8', KEY);
    await waitFor(() => expect(sidebarEntry('8').querySelector('[data-testid="host-needs-you"]')).not.toBeNull());
    expect(prompt()).toBeNull();
    await fireEvent.keyDown(window, { key: 'Escape' });
    await screen.findByTestId('host-prompt');

    // Put it off; the host asks something new while the removal of Demo is being confirmed.
    await fireEvent.keyDown(window, { key: 'Escape' });
    await waitFor(() => expect(prompt()).toBeNull());
    await fireEvent.click(byTestId('remove-host'));
    ask('8', { kind: 'password', retry: false });
    await screen.findByTestId('host-prompt');
    expect(screen.getByRole('dialog').contains(prompt())).toBe(true);
    expect(screen.getByRole('alertdialog').textContent).toContain('Remove “Demo”?');
    // Escape closes the dialog on top only.
    await fireEvent.keyDown(window, { key: 'Escape' });
    await waitFor(() => expect(prompt()).toBeNull());
    expect(screen.getByRole('alertdialog').textContent).toContain('Remove “Demo”?');
  });
});

describe('the host header', () => {
  it('disconnects and connects the host through the API', async () => {
    await fireEvent.click(byTestId('disconnect-host'));
    expect(fake.api.calls).toContain('disconnect_host 7');
    await waitFor(() => expect(hostItem('7').getAttribute('data-status')).toBe('disconnected'));
    expect(byTestId('host-notice').textContent).toContain('disconnected; connect it to see its VMs');
    expect(screen.queryByTestId('disconnect-host')).toBeNull();

    await fireEvent.click(byTestId('connect-host'));
    expect(fake.api.calls).toContain('connect_host 7');
    await waitFor(() => expect(hostItem('7').getAttribute('data-status')).toBe('connected'));
    await waitFor(() => expect(document.querySelector('tr[data-vm="web"]:not([data-stale])')).not.toBeNull());
  });

  it('shows a refused connect in the banner', async () => {
    // Removed meanwhile, e.g. from the command line.
    fake.api.hosts = fake.api.hosts.filter((h) => h.id !== '7');
    await fireEvent.click(byTestId('disconnect-host'));
    const banner = await screen.findByTestId('error-banner');
    expect(banner.getAttribute('data-code')).toBe('host_not_found');
  });

  it('shows where an SSH host is, and edits it: prefilled, saved, reconnected', async () => {
    await fireEvent.click(hostItem('8'));
    expect(byTestId('host-uri').textContent).toBe('admin@lab.example.org:2222');
    expect(within(hostItem('8')).getByTestId('host-address').textContent).toBe('admin@lab.example.org:2222');
    await fireEvent.click(byTestId('edit-host'));
    expect(screen.getByRole('dialog').querySelector('h2')?.textContent).toBe('Edit “lab”');
    expect(byTestId<HTMLInputElement>('host-ssh-user').value).toBe('admin');
    await type('host-ssh-port', '22');
    await fireEvent.click(byTestId('add-host-submit'));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(fake.api.calls).toContain('edit_host 8 lab ssh://admin@lab.example.org:22');
    await waitFor(() => expect(byTestId('host-uri').textContent).toBe('admin@lab.example.org:22'));
    // Reconnecting with the new settings, the server's key is asked about.
    await screen.findByTestId('host-prompt');
    expect(byTestId('host-key-fingerprint').textContent).toBe(fakeFingerprint({ host: 'lab.example.org', port: 22 }));
  });

  it('keeps the edit dialog open on a refusal, showing it', async () => {
    await fireEvent.click(byTestId('edit-host'));
    await type('host-name-input', 'lab');
    await fireEvent.click(byTestId('add-host-submit'));
    const error = await screen.findByTestId('add-host-error');
    expect(error.textContent).toContain("a host named 'lab' already exists");
    expect(screen.getByRole('dialog')).toBeTruthy();
  });

  it('labels the actions in Chinese', async () => {
    setLocale('zh');
    ask('8', KEY);
    await screen.findByTestId('host-prompt');
    expect(within(sidebarEntry('8')).getByTestId('host-needs-you').textContent?.trim()).toBe('待你处理');
    expect(byTestId('edit-host').textContent?.trim()).toBe('编辑');
    expect(byTestId('disconnect-host').textContent?.trim()).toBe('断开');
  });
});
