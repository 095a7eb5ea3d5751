import { describe, expect, it } from 'vitest';
import { applyLifecycle, countByFilter, filterVms, sortVms, type LifecycleEvent } from './vms';
import { vm } from './testing';

const list = [
  vm({ name: 'web-1', state: 'running' }),
  vm({ name: 'db', state: 'shut_off', cpu_percent: null, memory_rss_kib: null }),
  vm({ name: 'Web-2', state: 'paused' }),
  vm({ name: 'old', state: 'crashed' }),
];

function lifecycle(over: Partial<LifecycleEvent>): LifecycleEvent {
  return { kind: 'vm_lifecycle', host_id: '1', uuid: 'uuid-db', name: 'db', event: 'started', state: 'running', ...over };
}

describe('filterVms', () => {
  it('matches names case-insensitively, ignoring surrounding spaces', () => {
    expect(filterVms(list, '  WEB ', 'all').map((v) => v.name)).toEqual(['web-1', 'Web-2']);
  });

  it('splits running (any live process) from stopped', () => {
    expect(filterVms(list, '', 'running').map((v) => v.name)).toEqual(['web-1', 'Web-2']);
    expect(filterVms(list, '', 'stopped').map((v) => v.name)).toEqual(['db', 'old']);
    expect(filterVms(list, 'web', 'stopped')).toEqual([]);
  });

  it('counts per filter', () => {
    expect(countByFilter(list)).toEqual({ all: 4, running: 2, stopped: 2 });
  });
});

describe('sortVms', () => {
  const names = (list: string[]) => sortVms(list.map((name) => vm({ name })), 'en').map((v) => v.name);

  it('orders by name with numbers in numeric order', () => {
    expect(names(['vm10', 'vm2', 'alpha'])).toEqual(['alpha', 'vm2', 'vm10']);
    expect(names(['bench-10', 'bench-2', 'bench-1'])).toEqual(['bench-1', 'bench-2', 'bench-10']);
  });

  it('ignores case, so "My VM" does not jump ahead of "aaa"', () => {
    expect(names(['My VM', 'zeta', 'aaa', 'Beta'])).toEqual(['aaa', 'Beta', 'My VM', 'zeta']);
  });

  it('gives names differing only in case one fixed order', () => {
    expect(names(['web', 'Web'])).toEqual(names(['Web', 'web']));
  });

  it('does not mutate its input', () => {
    const input = [vm({ name: 'b' }), vm({ name: 'a' })];
    sortVms(input, 'en');
    expect(input.map((v) => v.name)).toEqual(['b', 'a']);
  });
});

describe('applyLifecycle', () => {
  it('updates the state of a known VM without touching the others', () => {
    const { vms, relist } = applyLifecycle(list, lifecycle({ state: 'running' }));
    expect(relist).toBe(false);
    expect(vms.find((v) => v.name === 'db')?.state).toBe('running');
    expect(vms.filter((v) => v.name !== 'db')).toEqual(list.filter((v) => v.name !== 'db'));
  });

  it('clears live figures when the VM stops', () => {
    const { vms } = applyLifecycle(list, lifecycle({ uuid: 'uuid-web-1', name: 'web-1', event: 'stopped', state: 'shut_off' }));
    const web = vms.find((v) => v.name === 'web-1');
    expect(web).toMatchObject({ state: 'shut_off', cpu_percent: null, memory_rss_kib: null });
  });

  it('removes an undefined VM', () => {
    const { vms, relist } = applyLifecycle(list, lifecycle({ event: 'undefined', state: null }));
    expect(vms.map((v) => v.name)).toEqual(['web-1', 'Web-2', 'old']);
    expect(relist).toBe(true);
  });

  it('re-lists when the event does not fix the state (defined on a known VM)', () => {
    const { vms, relist } = applyLifecycle(list, lifecycle({ event: 'defined', state: null }));
    expect(relist).toBe(true);
    expect(vms).toEqual(list);
  });

  it('asks for a re-list for an unknown VM', () => {
    const { vms, relist } = applyLifecycle(list, lifecycle({ uuid: 'new', name: 'new', event: 'defined', state: null }));
    expect(relist).toBe(true);
    expect(vms).toEqual(list);
  });

  it('does not mutate its input', () => {
    const copy = structuredClone(list);
    applyLifecycle(list, lifecycle({ state: 'running' }));
    expect(list).toEqual(copy);
  });
});
