// The host dialog on its own: the HostTarget it builds for each kind of connection, the
// core's refusals shown beside the form, and editing a saved host.
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { HostSummary } from '../bindings/HostSummary';
import type { HostTarget } from '../bindings/HostTarget';
import { setLocale } from '../lib/i18n';
import { host, sshSpec } from '../lib/testing';
import AddHostDialog from './AddHostDialog.svelte';

const byTestId = <T extends HTMLElement = HTMLElement>(id: string) => screen.getByTestId(id) as T;
const type = (id: string, value: string) => fireEvent.input(byTestId(id), { target: { value } });
const submit = () => fireEvent.click(byTestId('add-host-submit'));
const submitButton = () => byTestId<HTMLButtonElement>('add-host-submit');

/** Names the host and fills in where it is over SSH (the dialog's first choice). */
async function fillSsh(name: string, user: string, server: string) {
  await type('host-name-input', name);
  await type('host-ssh-user', user);
  await type('host-ssh-host', server);
}

let onsave: ReturnType<typeof vi.fn<(name: string, target: HostTarget) => Promise<unknown>>>;
let onclose: ReturnType<typeof vi.fn<() => void>>;

function open(edited: HostSummary | null = null) {
  render(AddHostDialog, { props: { host: edited, onsave, onclose } });
}

beforeEach(() => {
  setLocale('en');
  onsave = vi.fn(async () => undefined);
  onclose = vi.fn();
});

afterEach(() => setLocale('en'));

describe('the target the dialog sends', () => {
  it('for this computer: the system daemon first', async () => {
    open();
    await type('host-name-input', ' here ');
    await fireEvent.click(byTestId('host-kind-local'));
    expect(byTestId('host-kind-local').getAttribute('aria-checked')).toBe('true');
    expect(byTestId<HTMLInputElement>('host-local-system').checked).toBe(true);
    await submit();
    expect(onsave).toHaveBeenCalledWith('here', { type: 'uri', uri: 'qemu:///system' });
    await waitFor(() => expect(onclose).toHaveBeenCalled());
  });

  it('for this computer: or the user\'s own session', async () => {
    open();
    await type('host-name-input', 'mine');
    await fireEvent.click(byTestId('host-kind-local'));
    await fireEvent.click(byTestId('host-local-session'));
    await submit();
    expect(onsave).toHaveBeenCalledWith('mine', { type: 'uri', uri: 'qemu:///session' });
  });

  it('for SSH (the default): user, server, port and the agent', async () => {
    open();
    expect(byTestId('host-kind-ssh').getAttribute('aria-checked')).toBe('true');
    expect(byTestId<HTMLInputElement>('host-ssh-port').value).toBe('22');
    expect(byTestId('host-ssh-auth-agent').getAttribute('aria-checked')).toBe('true');
    await type('host-name-input', 'lab');
    await type('host-ssh-user', ' deploy ');
    expect(submitButton().disabled).toBe(true);
    await type('host-ssh-host', 'lab.example.org');
    expect(submitButton().disabled).toBe(false);
    await submit();
    expect(onsave).toHaveBeenCalledWith('lab', {
      type: 'ssh',
      spec: { user: 'deploy', host: 'lab.example.org', port: 22, auth: 'agent', key_path: null, read_only: false },
    });
  });

  it('for SSH with a key file, another port, read-only', async () => {
    open();
    await fillSsh('lab', 'root', '192.0.2.10');
    await type('host-ssh-port', '2222');
    expect(screen.queryByTestId('host-ssh-key')).toBeNull();
    await fireEvent.click(byTestId('host-ssh-auth-key'));
    // A key file is needed before it can be sent.
    expect(submitButton().disabled).toBe(true);
    await type('host-ssh-key', '~/.ssh/id_ed25519');
    await fireEvent.click(byTestId('host-ssh-read-only'));
    await submit();
    expect(onsave).toHaveBeenCalledWith('lab', {
      type: 'ssh',
      spec: { user: 'root', host: '192.0.2.10', port: 2222, auth: 'key', key_path: '~/.ssh/id_ed25519', read_only: true },
    });
  });

  it('for SSH with a password: no key path, and no password asked here', async () => {
    open();
    await fillSsh('lab', 'root', 'lab');
    await fireEvent.click(byTestId('host-ssh-auth-key'));
    await type('host-ssh-key', '/keys/old');
    await fireEvent.click(byTestId('host-ssh-auth-password'));
    expect(screen.getByRole('dialog').textContent).toContain('Vireo asks for the password when it connects');
    expect(document.querySelector('input[type="password"]')).toBeNull();
    await submit();
    expect(onsave).toHaveBeenCalledWith('lab', { type: 'ssh', spec: sshSpec({ host: 'lab', auth: 'password', key_path: null }) });
  });

  it('for a libvirt URI: as typed, trimmed', async () => {
    open();
    await type('host-name-input', 'tls');
    await fireEvent.click(byTestId('host-kind-uri'));
    await type('host-uri-input', ' qemu+tls://server/system ');
    await submit();
    expect(onsave).toHaveBeenCalledWith('tls', { type: 'uri', uri: 'qemu+tls://server/system' });
  });

  it('says at once when the port is not one, and sends nothing', async () => {
    open();
    await fillSsh('lab', 'root', 'lab');
    await type('host-ssh-port', '70000');
    const problem = byTestId('host-ssh-port-problem');
    expect(problem.textContent).toBe('Use a port from 1 to 65535.');
    expect(byTestId('host-ssh-port').getAttribute('aria-invalid')).toBe('true');
    expect(submitButton().disabled).toBe(true);
    await submit();
    expect(onsave).not.toHaveBeenCalled();
    await type('host-ssh-port', '22');
    expect(screen.queryByTestId('host-ssh-port-problem')).toBeNull();
  });
});

describe('a refusal from the core', () => {
  it('is shown beside the form, which keeps the values and stays open', async () => {
    const refusal = {
      code: 'invalid_input',
      message: "invalid SSH host: 'a b' is not a host name or IP address (letters, digits, '-' and '.', like server.example.org or 192.0.2.10)",
      hint: 'Correct the value and try again.',
    };
    onsave.mockRejectedValueOnce(refusal);
    open();
    await fillSsh('lab', 'root', 'a b');
    await submit();
    const error = await screen.findByTestId('add-host-error');
    expect(error.getAttribute('data-code')).toBe('invalid_input');
    expect(error.textContent).toContain('The input is not valid.');
    expect(error.textContent).toContain("invalid SSH host: 'a b' is not a host name");
    expect(byTestId<HTMLInputElement>('host-ssh-host').value).toBe('a b');
    expect(submitButton().disabled).toBe(false);
    expect(onclose).not.toHaveBeenCalled();

    await type('host-ssh-host', 'ab');
    await submit();
    await waitFor(() => expect(onclose).toHaveBeenCalled());
  });

  it('is translated, the core\'s own words kept', async () => {
    setLocale('zh');
    onsave.mockRejectedValueOnce({ code: 'invalid_input', message: 'invalid SSH user: give the user to sign in as', hint: null });
    open();
    expect(byTestId('host-kind-local').textContent?.trim()).toBe('本机');
    await fillSsh('lab', ' x', 'lab');
    await submit();
    const error = await screen.findByTestId('add-host-error');
    expect(error.textContent).toContain('输入无效。');
    expect(error.textContent).toContain('invalid SSH user');
  });
});

describe('editing a saved host', () => {
  it('starts from its settings and saves them as changed', async () => {
    open(host({ id: '5', name: 'lab', kind: 'ssh', uri: 'ssh://me@lab:2222', ssh: sshSpec({ user: 'me', host: 'lab', port: 2222, auth: 'key', key_path: '~/k' }) }));
    const dialog = screen.getByRole('dialog');
    expect(dialog.querySelector('h2')?.textContent).toBe('Edit “lab”');
    expect(submitButton().textContent?.trim()).toBe('Save and reconnect');
    expect(byTestId<HTMLInputElement>('host-name-input').value).toBe('lab');
    expect(byTestId<HTMLInputElement>('host-ssh-user').value).toBe('me');
    expect(byTestId<HTMLInputElement>('host-ssh-port').value).toBe('2222');
    expect(byTestId<HTMLInputElement>('host-ssh-key').value).toBe('~/k');
    await type('host-ssh-host', 'lab2');
    await submit();
    expect(onsave).toHaveBeenCalledWith('lab', {
      type: 'ssh',
      spec: { user: 'me', host: 'lab2', port: 2222, auth: 'key', key_path: '~/k', read_only: false },
    });
  });

  it('opens a local host on its daemon and any other on its URI', async () => {
    open(host({ name: 'here', kind: 'local', uri: 'qemu:///session' }));
    expect(byTestId('host-kind-local').getAttribute('aria-checked')).toBe('true');
    expect(byTestId<HTMLInputElement>('host-local-session').checked).toBe(true);
  });

  it('shows a remote libvirt URI in the expert field', async () => {
    open(host({ name: 'old', kind: 'remote', uri: 'qemu+ssh://root@old/system' }));
    expect(byTestId<HTMLInputElement>('host-uri-input').value).toBe('qemu+ssh://root@old/system');
  });
});
