import { describe, expect, it } from 'vitest';
import { applyHostStatus } from './hosts';
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
