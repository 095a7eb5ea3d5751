// The fake backend refuses exactly what the core refuses, with the core's own payloads
// (bindings/validation-cases.json), so tests built on it see real rejections; its SSH hosts
// ask what the core's ask, in the same order.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { HostEvent } from '../bindings/HostEvent';
import cases from '../bindings/validation-cases.json';
import { fakeFingerprint, FakeApi } from './fake-api';
import { sshSpec, sshTarget, uriTarget } from './testing';

const GOOD_NAME = 'Lab';
const GOOD_URI = 'qemu:///system';
const GOOD_TARGET = uriTarget(GOOD_URI);

describe('FakeApi.addHost', () => {
  for (const { input, error } of cases.host_name) {
    it(`answers the host name ${JSON.stringify(input)} as the core does`, async () => {
      const result = new FakeApi().addHost(input, GOOD_TARGET);
      if (error) await expect(result).rejects.toEqual(error);
      else await expect(result).resolves.toMatchObject({ uri: GOOD_URI });
    });
  }

  for (const { input, error } of cases.connection_uri) {
    it(`answers the URI ${JSON.stringify(input)} as the core does`, async () => {
      const result = new FakeApi().addHost(GOOD_NAME, uriTarget(input));
      if (error) await expect(result).rejects.toEqual(error);
      else await expect(result).resolves.toMatchObject({ name: GOOD_NAME, uri: input.trim() });
    });
  }

  it('judges names that are no listed case by the shared rule', async () => {
    await expect(new FakeApi().addHost('x'.repeat(70), GOOD_TARGET)).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringContaining('too_long'),
    });
  });

  it('checks the name before the URI, as the core does', async () => {
    const name = cases.host_name.find((c) => c.error !== null)!;
    const uri = cases.connection_uri.find((c) => c.error !== null)!;
    await expect(new FakeApi().addHost(name.input, uriTarget(uri.input))).rejects.toEqual(name.error);
  });

  it('refuses a second host of the same name and records every attempt', async () => {
    const api = new FakeApi();
    await api.addHost(' Lab ', GOOD_TARGET);
    await expect(api.addHost('Lab', GOOD_TARGET)).rejects.toMatchObject({ message: "invalid host name: a host named 'Lab' already exists; pick another name" });
    expect(api.history.map((e) => [e.host, e.ok])).toEqual([
      ['Lab', false],
      ['Lab', true],
    ]);
  });
});

describe('FakeApi SSH fields', () => {
  const refusal = (over: Parameters<typeof sshTarget>[0]) => new FakeApi().addHost(GOOD_NAME, sshTarget(over));

  it('refuses each bad field naming it, as the core does', async () => {
    await expect(refusal({ user: '' })).rejects.toMatchObject({ message: 'invalid SSH user: give the user to sign in as' });
    await expect(refusal({ user: '-oProxyCommand=x' })).rejects.toMatchObject({ message: expect.stringContaining('invalid SSH user:') });
    await expect(refusal({ user: 'a;b' })).rejects.toMatchObject({ message: expect.stringContaining("holds ';'") });
    await expect(refusal({ user: 'x'.repeat(33) })).rejects.toMatchObject({ message: 'invalid SSH user: at most 32 characters' });
    for (const host of ['a b', 'host;rm', '-x', 'a..b', 'a_b', 'x-', 'é.com', '[::1']) {
      await expect(refusal({ host }), host).rejects.toMatchObject({
        code: 'invalid_input',
        message: `invalid SSH host: '${host}' is not a host name or IP address (letters, digits, '-' and '.', like server.example.org or 192.0.2.10)`,
      });
    }
    await expect(refusal({ port: 0 })).rejects.toMatchObject({ message: expect.stringContaining('invalid SSH port:') });
    await expect(refusal({ auth: 'key', key_path: null })).rejects.toMatchObject({ message: 'invalid SSH key: choose the private key file to sign in with' });
    await expect(refusal({ auth: 'key', key_path: 'id_rsa' })).rejects.toMatchObject({ message: expect.stringContaining("'id_rsa' is not a full path") });
  });

  it('takes names and addresses, saved as the core keeps them', async () => {
    for (const host of ['server', 'a.b-c.example.org', '192.0.2.1', '::1', 'fe80::1']) {
      await expect(refusal({ host }), host).resolves.toMatchObject({ kind: 'ssh' });
    }
    const added = await new FakeApi().addHost(GOOD_NAME, sshTarget({ user: ' me ', host: '[::1]', port: 2222, auth: 'agent', key_path: '~/k' }));
    expect(added).toMatchObject({ uri: 'ssh://me@[::1]:2222', ssh: sshSpec({ user: 'me', host: '::1', port: 2222, auth: 'agent', key_path: null }) });
  });
});

describe('FakeApi SSH sign-in', () => {
  let api: FakeApi;
  let events: HostEvent[];
  const settle = () => vi.advanceTimersByTimeAsync(0);
  const host = () => api.hosts.find((h) => h.id === '100')!;
  const fingerprint = fakeFingerprint({ host: 'server', port: 22 });

  beforeEach(async () => {
    vi.useFakeTimers();
    api = new FakeApi();
    events = [];
    await api.onHostEvent((ev) => events.push(ev));
  });

  afterEach(() => vi.useRealTimers());

  it('asks for the host key, then the password, and connects once both are answered', async () => {
    const added = await api.addHost(GOOD_NAME, sshTarget());
    expect(added).toMatchObject({ status: 'connecting', prompt: null, uri: 'ssh://root@server:22' });
    await settle();
    expect(host()).toMatchObject({ status: 'disconnected', prompt: { kind: 'host_key', key_type: 'ssh-ed25519', fingerprint } });
    expect(fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    expect(events.at(-1)).toEqual({ kind: 'host_status', host_id: '100', status: 'disconnected', error: expect.stringContaining(fingerprint), prompt: host().prompt, retrying: false });

    await api.answerPrompt('100', { kind: 'accept_host_key', fingerprint });
    await settle();
    expect(host()).toMatchObject({ status: 'disconnected', prompt: { kind: 'password', retry: false } });

    await api.answerPrompt('100', { kind: 'secret', secret: 'hunter2' });
    await settle();
    expect(host()).toMatchObject({ status: 'connected', prompt: null, error: null });
    expect(api.calls).toContain('answer_prompt 100 secret');
    expect(api.calls.join('\n')).not.toContain('hunter2');
    expect(api.history.map((e) => e.action)).toEqual(['give_password', 'accept_host_key', 'add_host']);
  });

  it('refuses a fingerprint that is not the one asked about, still asking', async () => {
    await api.addHost(GOOD_NAME, sshTarget());
    await settle();
    await expect(api.answerPrompt('100', { kind: 'accept_host_key', fingerprint: 'SHA256:other' })).rejects.toMatchObject({
      code: 'invalid_input',
      message: `invalid host key: the fingerprint given (SHA256:other) is not the server's (${fingerprint})`,
    });
    expect(host().prompt?.kind).toBe('host_key');
    expect(api.acceptedKeys.size).toBe(0);
  });

  it('asks again for a wrong password, saying so', async () => {
    api.sshPassword = 'right';
    api.acceptedKeys.add('server:22');
    await api.addHost(GOOD_NAME, sshTarget());
    await settle();
    await api.answerPrompt('100', { kind: 'secret', secret: 'wrong' });
    await settle();
    expect(host()).toMatchObject({ status: 'disconnected', prompt: { kind: 'password', retry: true } });
    await api.answerPrompt('100', { kind: 'secret', secret: 'right' });
    await settle();
    expect(host().status).toBe('connected');
  });

  it('asks for a key passphrase when the key has one; an agent host needs nothing but its key', async () => {
    api.keyPassphrase = 'open';
    api.acceptedKeys.add('server:22');
    await api.addHost(GOOD_NAME, sshTarget({ auth: 'key', key_path: '~/.ssh/id_ed25519' }));
    await api.addHost('Other', sshTarget({ auth: 'agent' }));
    await settle();
    expect(host().prompt).toEqual({ kind: 'passphrase', path: '~/.ssh/id_ed25519', retry: false });
    expect(api.hosts.find((h) => h.id === '101')?.status).toBe('connected');
  });

  it('stops asking on cancel without an event, as the core does, until connected again', async () => {
    await api.addHost(GOOD_NAME, sshTarget());
    await settle();
    const sent = events.length;
    await api.answerPrompt('100', { kind: 'cancel' });
    await settle();
    expect(host()).toMatchObject({ status: 'disconnected', prompt: null });
    expect(events).toHaveLength(sent);
    await expect(api.answerPrompt('100', { kind: 'refuse_host_key' })).rejects.toMatchObject({
      message: 'invalid answer: the host is not waiting for an answer',
    });
    await api.connectHost('100');
    await settle();
    expect(host().prompt?.kind).toBe('host_key');
  });

  it('refuses answers that do not fit, and answers for a host that asks nothing', async () => {
    await api.addHost(GOOD_NAME, sshTarget());
    await api.addHost('Local', GOOD_TARGET);
    await settle();
    await expect(api.answerPrompt('100', { kind: 'secret', secret: 'x' })).rejects.toMatchObject({
      message: 'invalid answer: that answer does not fit the question the host asks',
    });
    await expect(api.answerPrompt('101', { kind: 'cancel' })).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(api.answerPrompt('9', { kind: 'cancel' })).rejects.toMatchObject({ code: 'host_not_found' });
  });

  it('disconnects until asked to connect, and reconnects an edited host with its new settings', async () => {
    await api.addHost('Local', GOOD_TARGET);
    await api.connectHost('100');
    await settle();
    expect(host().status).toBe('connected');
    await api.disconnectHost('100');
    await settle();
    expect(host()).toMatchObject({ status: 'disconnected', error: 'disconnected; connect it to see its VMs' });

    await api.editHost('100', 'Lab', sshTarget({ host: 'lab.example.org' }));
    expect(host()).toMatchObject({ name: 'Lab', kind: 'ssh', status: 'connecting', uri: 'ssh://root@lab.example.org:22' });
    await settle();
    expect(host().prompt).toMatchObject({ kind: 'host_key', fingerprint: fakeFingerprint({ host: 'lab.example.org', port: 22 }) });
    expect(api.history.map((e) => e.action)).toEqual(['edit_host', 'disconnect_host', 'connect_host', 'add_host']);
  });

  it('checks an edit like an add, and refuses an unknown host', async () => {
    await api.addHost('A', GOOD_TARGET);
    await api.addHost('B', GOOD_TARGET);
    await expect(api.editHost('101', 'A', GOOD_TARGET)).rejects.toMatchObject({ message: expect.stringContaining("a host named 'A' already exists") });
    await expect(api.editHost('100', 'A', sshTarget({ host: 'a b' }))).rejects.toMatchObject({ message: expect.stringContaining('invalid SSH host') });
    await expect(api.editHost('9', 'C', GOOD_TARGET)).rejects.toMatchObject({ code: 'host_not_found' });
    await expect(api.editHost('100', 'A', uriTarget('qemu:///session'))).resolves.toMatchObject({ kind: 'local', ssh: null });
  });
});

describe('FakeApi at scale', () => {
  it('generates a big host, every third VM shut off', async () => {
    const api = new FakeApi();
    api.generateVms('1', 2000);
    const vms = await api.listVms('1');
    expect(vms).toHaveLength(2000);
    expect(vms[1999]).toMatchObject({ name: 'bench-1999', uuid: 'uuid-bench-1999', state: 'running' });
    expect(vms.filter((v) => v.state === 'shut_off')).toHaveLength(666);
  });

  it('pushes the figures of the running VMs only, moving them on', () => {
    const api = new FakeApi();
    api.generateVms('1', 6);
    const seen: unknown[] = [];
    void api.onHostEvent((ev) => seen.push(ev));
    const first = api.pushStats('1');
    const second = api.pushStats('1');
    expect(seen).toEqual([first, second]);
    if (first.kind !== 'vm_stats' || second.kind !== 'vm_stats') throw new Error('not a push');
    expect(first.vms.map((v) => v.uuid)).toEqual(['uuid-bench-0', 'uuid-bench-1', 'uuid-bench-3', 'uuid-bench-4']);
    expect(second.vms[0].net_rx_bytes).toBeGreaterThan(first.vms[0].net_rx_bytes);
  });

  it('records marks and does nothing else with them', async () => {
    const api = new FakeApi();
    await api.mark('first-rows');
    expect(api.marks).toEqual(['first-rows']);
    expect(api.calls).toEqual([]);
  });
});
