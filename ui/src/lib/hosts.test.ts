import { describe, expect, it } from 'vitest';
import { applyHostStatus, hostNotice, isLive, sortHosts } from './hosts';
import { host } from './testing';

describe('applyHostStatus', () => {
  const hosts = [host({ id: '1' }), host({ id: '2', kind: 'local', status: 'connecting' })];

  it('sets status and error of the named host', () => {
    const { hosts: next, known } = applyHostStatus(hosts, {
      kind: 'host_status',
      host_id: '2',
      status: 'disconnected',
      error: 'cannot connect',
    });
    expect(known).toBe(true);
    expect(next[1]).toMatchObject({ status: 'disconnected', error: 'cannot connect' });
    expect(next[0]).toBe(hosts[0]);
  });

  it('reports an unknown host', () => {
    const { hosts: next, known } = applyHostStatus(hosts, { kind: 'host_status', host_id: '9', status: 'connected', error: null });
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
