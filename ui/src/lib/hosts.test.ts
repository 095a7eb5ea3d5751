import { describe, expect, it } from 'vitest';
import { applyHostStatus, hostAddress, hostNotice, statusNotice, isLive, promptingHost, promptKey, sortHosts, sshAddress } from './hosts';
import { host, sshSpec } from './testing';

describe('applyHostStatus', () => {
  const hosts = [host({ id: '1' }), host({ id: '2', kind: 'local', status: 'connecting' })];

  it('sets status and error of the named host', () => {
    const { hosts: next, known } = applyHostStatus(hosts, {
      kind: 'host_status',
      host_id: '2',
      status: 'disconnected',
      error: 'cannot connect',
      prompt: null,
      retrying: true,
    });
    expect(known).toBe(true);
    expect(next[1]).toMatchObject({ status: 'disconnected', error: 'cannot connect' });
    expect(next[0]).toBe(hosts[0]);
  });

  it('carries the question the host asks, and its end', () => {
    const prompt = { kind: 'password', retry: true } as const;
    const asking = applyHostStatus(hosts, { kind: 'host_status', host_id: '1', status: 'disconnected', error: 'x', prompt, retrying: false }).hosts;
    expect(asking[0].prompt).toEqual(prompt);
    const answered = applyHostStatus(asking, { kind: 'host_status', host_id: '1', status: 'connecting', error: null, prompt: null, retrying: true }).hosts;
    expect(answered[0].prompt).toBeNull();
  });

  it('reports an unknown host', () => {
    const { hosts: next, known } = applyHostStatus(hosts, { kind: 'host_status', host_id: '9', status: 'connected', error: null, prompt: null, retrying: true });
    expect(known).toBe(false);
    expect(next).toEqual(hosts);
  });
});

describe('sortHosts', () => {
  const order = (list: { id: string; name: string }[]) => sortHosts(list.map((h) => host(h)), 'en').map((h) => h.id);

  it('orders by name as people read it', () => {
    expect(order([{ id: '1', name: 'lab-10' }, { id: '2', name: 'Lab-2' }, { id: '3', name: 'alpha' }])).toEqual(['3', '2', '1']);
  });

  it('breaks ties by id as a number, not as text', () => {
    expect(order([{ id: '10', name: 'lab' }, { id: '2', name: 'Lab' }, { id: '9', name: 'LAB' }])).toEqual(['2', '9', '10']);
  });
});

describe('isLive and hostNotice', () => {
  it('treats only a connected host as live', () => {
    expect(isLive(host({ status: 'connected' }))).toBe(true);
    expect(isLive(host({ status: 'connecting' }))).toBe(false);
    expect(isLive(host({ status: 'disconnected' }))).toBe(false);
  });

  it('shows a connected host\'s message as a warning, a down host\'s as an error', () => {
    expect(hostNotice(host({ status: 'connected', error: null }))).toBeNull();
    expect(hostNotice(host({ status: 'connected', error: 'connected, but live updates are off: x' }))).toBe('warning');
    expect(hostNotice(host({ status: 'disconnected', error: null }))).toBe('error');
    expect(hostNotice(host({ status: 'connecting', error: null }))).toBeNull();
    expect(hostNotice(host({ status: 'connecting', error: 'refused' }))).toBe('error');
  });
});

describe('addresses', () => {
  it('shows an SSH host as user@host:port, an IPv6 address in brackets', () => {
    expect(sshAddress(sshSpec())).toBe('root@server:22');
    expect(sshAddress(sshSpec({ host: 'fe80::1', port: 2222 }))).toBe('root@[fe80::1]:2222');
    expect(hostAddress(host({ uri: 'ssh://root@server:22', ssh: sshSpec({ user: 'me' }) }))).toBe('me@server:22');
    expect(hostAddress(host({ uri: 'qemu:///system' }))).toBe('qemu:///system');
  });
});

describe('promptingHost', () => {
  const key = { kind: 'host_key', key_type: 'ssh-ed25519', fingerprint: 'SHA256:x' } as const;
  const hosts = [
    host({ id: '1', name: 'zeta', prompt: key }),
    host({ id: '2', name: 'alpha' }),
    host({ id: '3', name: 'beta', prompt: { kind: 'password', retry: false } }),
  ];

  const none = new Set<string>();

  it('shows one question at a time: the first asking host in sidebar order', () => {
    expect(promptingHost(hosts, null, none, 'en')?.id).toBe('3');
    expect(promptingHost(hosts.slice(0, 2), null, none, 'en')?.id).toBe('1');
    expect(promptingHost([hosts[1]], null, none, 'en')).toBeNull();
  });

  it('shows the host the user picked while it still asks', () => {
    expect(promptingHost(hosts, '1', none, 'en')?.id).toBe('1');
    expect(promptingHost(hosts, '2', none, 'en')?.id).toBe('3');
  });

  it('leaves a question put off until it changes', () => {
    const putOff = new Set([promptKey(hosts[2])]);
    expect(promptingHost(hosts, null, putOff, 'en')?.id).toBe('1');
    expect(promptingHost(hosts, '3', putOff, 'en')?.id).toBe('1');
    const retry = { ...hosts[2], prompt: { kind: 'password', retry: true } as const };
    expect(promptingHost([hosts[0], retry], null, putOff, 'en')?.id).toBe('3');
    expect(promptKey(retry)).not.toBe(promptKey(hosts[2]));
  });
});

describe('statusNotice', () => {
  it('says whether Vireo retries by itself or waits for the user', () => {
    expect(statusNotice(host({ status: 'connecting' }))).toBe('host.connectingNotice');
    expect(statusNotice(host({ status: 'disconnected', retrying: true }))).toBe('host.disconnectedNotice');
    expect(statusNotice(host({ status: 'disconnected', retrying: false }))).toBe('host.heldNotice');
    const prompt = { kind: 'password', retry: false } as const;
    expect(statusNotice(host({ status: 'disconnected', retrying: false, prompt }))).toBe('host.waitingNotice');
  });
});
