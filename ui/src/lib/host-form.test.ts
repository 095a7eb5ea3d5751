import { describe, expect, it } from 'vitest';
import { formReady, formTarget, hostForm, parsePort } from './host-form';
import { host, sshSpec } from './testing';

describe('hostForm', () => {
  it('starts a new host as SSH on port 22, signing in with the agent', () => {
    const form = hostForm();
    expect(form).toMatchObject({ name: '', kind: 'ssh', local: 'qemu:///system', uri: '' });
    expect(form.ssh).toEqual({ user: '', host: '', port: '22', auth: 'agent', keyPath: '', readOnly: false });
    expect(formReady(form)).toBe(false);
  });

  it('is prefilled from the host being edited, by its kind', () => {
    const ssh = hostForm(host({ name: 'lab', kind: 'ssh', ssh: sshSpec({ port: 2222, auth: 'key', key_path: '~/.ssh/k', read_only: true }) }));
    expect(ssh).toMatchObject({ name: 'lab', kind: 'ssh' });
    expect(ssh.ssh).toEqual({ user: 'root', host: 'server', port: '2222', auth: 'key', keyPath: '~/.ssh/k', readOnly: true });
    expect(hostForm(host({ kind: 'local', uri: 'qemu:///session' }))).toMatchObject({ kind: 'local', local: 'qemu:///session' });
    // Any other URI, even a qemu:/// one, is the expert's field.
    expect(hostForm(host({ kind: 'local', uri: 'qemu:///embed?root=/x' }))).toMatchObject({ kind: 'uri', uri: 'qemu:///embed?root=/x' });
    expect(hostForm(host({ kind: 'demo', uri: 'test:///default' }))).toMatchObject({ kind: 'uri', uri: 'test:///default' });
  });
});

describe('parsePort', () => {
  it('takes 1 to 65535 and nothing else', () => {
    expect(['1', ' 22 ', '65535'].map(parsePort)).toEqual([1, 22, 65535]);
    expect(['', '0', '65536', '22a', '-1', '2.5', '1e3'].map(parsePort)).toEqual(Array(7).fill(null));
  });
});

describe('formTarget', () => {
  it('sends the chosen daemon of this computer', () => {
    const form = { ...hostForm(), name: 'here', kind: 'local' as const, local: 'qemu:///session' as const };
    expect(formReady(form)).toBe(true);
    expect(formTarget(form)).toEqual({ type: 'uri', uri: 'qemu:///session' });
  });

  it('sends a URI as typed, trimmed, once there is one', () => {
    const form = { ...hostForm(), name: 'x', kind: 'uri' as const, uri: '  ' };
    expect(formReady(form)).toBe(false);
    form.uri = ' qemu+tls://h/system ';
    expect(formReady(form)).toBe(true);
    expect(formTarget(form)).toEqual({ type: 'uri', uri: 'qemu+tls://h/system' });
  });

  it('sends an SSH spec, the key path only when signing in with a key', () => {
    const form = hostForm();
    form.name = 'lab';
    form.ssh = { user: ' me ', host: ' lab.example.org ', port: '2222', auth: 'password', keyPath: '~/old', readOnly: true };
    expect(formReady(form)).toBe(true);
    expect(formTarget(form)).toEqual({
      type: 'ssh',
      spec: { user: 'me', host: 'lab.example.org', port: 2222, auth: 'password', key_path: null, read_only: true },
    });
    form.ssh.auth = 'key';
    expect(formTarget(form)).toMatchObject({ spec: { auth: 'key', key_path: '~/old' } });
    form.ssh.keyPath = ' ';
    expect(formReady(form)).toBe(false);
  });

  it('is not ready without a user, a server or a port', () => {
    const form = hostForm();
    form.name = 'lab';
    form.ssh = { ...form.ssh, user: 'me', host: 'lab' };
    expect(formReady(form)).toBe(true);
    for (const change of [{ user: '' }, { host: ' ' }, { port: '' }, { port: '70000' }]) {
      expect(formReady({ ...form, ssh: { ...form.ssh, ...change } }), JSON.stringify(change)).toBe(false);
    }
    expect(formReady({ ...form, name: ' ' })).toBe(false);
  });
});
