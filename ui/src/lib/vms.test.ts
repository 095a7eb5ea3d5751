import { describe, expect, it } from 'vitest';
import { VmEntry } from './vm-entry.svelte';
import { countByFilter, countTags, filterIndex, indexVms, sameFigures, withoutLiveFigures, withTags } from './vms';
import { vm, vmStats } from './testing';

const list = [
  vm({ name: 'web-1', state: 'running' }),
  vm({ name: 'db', state: 'shut_off', cpu_percent: null, memory_rss_kib: null }),
  vm({ name: 'Web-2', state: 'paused' }),
  vm({ name: 'old', state: 'crashed' }),
];

const names = (vms: readonly { name: string }[]) => vms.map((v) => v.name);

describe('filterIndex', () => {
  const index = indexVms(list, 'en');

  it('matches names case-insensitively, ignoring surrounding spaces', () => {
    expect(names(filterIndex(index, '  WEB ', 'all'))).toEqual(['web-1', 'Web-2']);
  });

  it('splits running (any live process) from stopped', () => {
    expect(names(filterIndex(index, '', 'running'))).toEqual(['web-1', 'Web-2']);
    expect(names(filterIndex(index, '', 'stopped'))).toEqual(['db', 'old']);
    expect(filterIndex(index, 'web', 'stopped')).toEqual([]);
  });

  it('counts per filter', () => {
    expect(countByFilter(list)).toEqual({ all: 4, running: 2, stopped: 2 });
  });

  it('keeps the lowercased name as the search key, computed once', () => {
    expect(indexVms([vm({ name: 'My VM' })], 'en')[0].key).toBe('my vm');
  });
});

describe('indexVms (the order)', () => {
  const order = (list: string[]) => names(indexVms(list.map((name) => vm({ name })), 'en').map((e) => e.vm));

  it('orders by name with numbers in numeric order', () => {
    expect(order(['vm10', 'vm2', 'alpha'])).toEqual(['alpha', 'vm2', 'vm10']);
    expect(order(['bench-10', 'bench-2', 'bench-1'])).toEqual(['bench-1', 'bench-2', 'bench-10']);
  });

  it('ignores case, so "My VM" does not jump ahead of "aaa"', () => {
    expect(order(['My VM', 'zeta', 'aaa', 'Beta'])).toEqual(['aaa', 'Beta', 'My VM', 'zeta']);
  });

  it('gives names differing only in case one fixed order', () => {
    expect(order(['web', 'Web'])).toEqual(order(['Web', 'web']));
  });

  it('does not mutate its input', () => {
    const input = [vm({ name: 'b' }), vm({ name: 'a' })];
    indexVms(input, 'en');
    expect(names(input)).toEqual(['b', 'a']);
  });
});

describe('figures', () => {
  it('compare field by field', () => {
    const a = vm();
    expect(sameFigures(a, { ...a })).toBe(true);
    expect(sameFigures(a, { ...a, net_rx_bytes: a.net_rx_bytes + 1 })).toBe(false);
    expect(sameFigures(null, null)).toBe(true);
    expect(sameFigures(a, null)).toBe(false);
  });

  it('lose the live ones (CPU, resident memory) when the VM stops, keeping the counters', () => {
    const stopped = withoutLiveFigures(vm());
    expect(stopped).toMatchObject({ cpu_percent: null, memory_rss_kib: null, disk_read_bytes: 5 * 1024 * 1024 });
    expect(withoutLiveFigures(null)).toBeNull();
  });
});

describe('VmEntry', () => {
  it('updates state in place and drops live figures on a stop', () => {
    const entry = new VmEntry(vm({ name: 'web', state: 'running' }));
    entry.setState('shut_off', 'web');
    expect(entry.snapshot()).toMatchObject({ name: 'web', state: 'shut_off', figures: { cpu_percent: null, memory_rss_kib: null } });
  });

  it('takes pushed figures only while running, and clears them when a push leaves it out', () => {
    const entry = new VmEntry(vm({ name: 'web', state: 'running' }));
    const pushed = vmStats('web', { cpu_percent: 99, net_tx_bytes: 7 });
    entry.setStats(pushed);
    expect(entry.figures).toMatchObject({ cpu_percent: 99, net_tx_bytes: 7 });
    entry.clearFigures();
    expect(entry.figures).toBeNull();
    expect(entry.state).toBe('running');

    const off = new VmEntry(vm({ name: 'db', state: 'shut_off', cpu_percent: null }));
    const before = off.figures;
    off.setStats({ ...pushed, uuid: off.uuid });
    off.clearFigures();
    expect(off.figures).toBe(before);
  });

  it('keeps the same figures object when a list brings the same numbers', () => {
    const entry = new VmEntry(vm({ name: 'web' }));
    const before = entry.figures;
    entry.update(vm({ name: 'web' }));
    expect(entry.figures).toBe(before);
  });
});

describe('tags in the index', () => {
  const tags = { 'uuid-web-1': ['Prod', 'frontend'], 'uuid-db': ['Prod'] };
  const index = withTags(indexVms(list, 'en'), tags);

  it('lets the search match a tag, case ignored, without a match across name and tag', () => {
    expect(names(filterIndex(index, 'FRONT', 'all'))).toEqual(['web-1']);
    expect(names(filterIndex(index, 'prod', 'all'))).toEqual(['db', 'web-1']);
    // "web-1" then "Prod": no query spans the two.
    expect(filterIndex(index, '1prod', 'all')).toEqual([]);
  });

  it('narrows to the VMs carrying the picked tag, with the other filters', () => {
    expect(names(filterIndex(index, '', 'all', 'Prod'))).toEqual(['db', 'web-1']);
    expect(names(filterIndex(index, '', 'running', 'Prod'))).toEqual(['web-1']);
    expect(names(filterIndex(index, 'db', 'all', 'frontend'))).toEqual([]);
    // The picked tag is matched exactly.
    expect(filterIndex(index, '', 'all', 'prod')).toEqual([]);
  });

  it('keeps the entries of VMs without tags as they were', () => {
    const plain = indexVms(list, 'en');
    const tagged = withTags(plain, tags);
    expect(tagged.find((e) => e.vm.name === 'old')).toBe(plain.find((e) => e.vm.name === 'old'));
    expect(tagged.map((e) => e.vm.name)).toEqual(plain.map((e) => e.vm.name));
  });

  it('counts each tag over the listed VMs, in name order', () => {
    expect(countTags(list, { ...tags, 'uuid-gone': ['zz'] }, 'en')).toEqual([
      { tag: 'frontend', count: 1 },
      { tag: 'Prod', count: 2 },
    ]);
    expect(countTags(list, {}, 'en')).toEqual([]);
  });
});
