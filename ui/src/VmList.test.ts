// The VM list at scale, against the fake backend: only the rows in view are in the DOM, a
// pushed change to a VM out of view touches no DOM, keyboard selection moves the window, the
// filter stays quick over 2000 VMs, and the first painted rows are marked once.
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { flushSync, tick } from 'svelte';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { VmStats } from './bindings/VmStats';
import App from './App.svelte';
import { FakeApi } from './lib/fake-api';
import { setLocale } from './lib/i18n';
import { host } from './lib/testing';
import { OVERSCAN, ROW_HEIGHT } from './lib/virtual';

const fake = vi.hoisted(() => ({ api: null as unknown as FakeApi }));
vi.mock('./lib/api', () => ({
  get api() {
    return fake.api;
  },
}));

/** jsdom lays nothing out: the scroll container reports this height, the rest 0. */
const VIEW_HEIGHT = 220;
/** What the table renders at the top of the list: the rows in view plus the overscan below. */
const WINDOW_ROWS = Math.ceil(VIEW_HEIGHT / ROW_HEIGHT) + OVERSCAN;

beforeAll(() => {
  Object.defineProperty(HTMLElement.prototype, 'clientHeight', {
    configurable: true,
    get(this: HTMLElement) {
      return this.dataset.testid === 'vm-scroll' ? VIEW_HEIGHT : 0;
    },
  });
});

afterAll(() => {
  delete (HTMLElement.prototype as { clientHeight?: number }).clientHeight;
});

const byTestId = <T extends HTMLElement = HTMLElement>(id: string) => screen.getByTestId(id) as T;
const rendered = () => [...document.querySelectorAll<HTMLElement>('tr[data-vm]')].map((r) => r.dataset.vm);
const row = (name: string) => document.querySelector<HTMLElement>(`tr[data-vm="${name}"]`);
const selectedName = () => document.querySelector<HTMLElement>('tr[data-selected="true"]')?.dataset.vm;

/** A fresh app on one connected demo host with `count` generated VMs, its first rows shown. */
async function mount(count: number) {
  fake.api = new FakeApi();
  fake.api.hosts = [host({ id: '7', name: 'Demo', kind: 'demo' })];
  fake.api.generateVms('7', count);
  render(App);
  await waitFor(() => expect(row('bench-0')).not.toBeNull());
}

/** The pushed figures of a generated VM as the fake has them now (the UI holds the same). */
function current(name: string, over: Partial<VmStats> = {}): VmStats {
  const vm = fake.api.vms['7'].find((v) => v.name === name)!;
  const { uuid, state, cpu_percent, memory_kib, memory_rss_kib, disk_read_bytes, disk_write_bytes, net_rx_bytes, net_tx_bytes } = vm;
  return { uuid, state, cpu_percent, memory_kib, memory_rss_kib, disk_read_bytes, disk_write_bytes, net_rx_bytes, net_tx_bytes, ...over };
}

beforeEach(() => setLocale('en'));
afterEach(() => setLocale('en'));

describe('the virtualised VM table', () => {
  it('renders the rows in view and a spacer for the rest: 2000 VMs cost what 40 do', async () => {
    await mount(40);
    const few = rendered().length;
    expect(few).toBe(WINDOW_ROWS);

    cleanup();
    await mount(2000);
    expect(rendered()).toHaveLength(few);
    expect(rendered().slice(0, 3)).toEqual(['bench-0', 'bench-1', 'bench-2']);
    const table = byTestId('vm-table');
    expect(table.getAttribute('role')).toBe('grid');
    expect(table.getAttribute('aria-rowcount')).toBe('2001');
    expect(row('bench-0')?.getAttribute('aria-rowindex')).toBe('2');
    const spacer = table.querySelector<HTMLElement>('tbody tr.spacer:last-child')!;
    expect(spacer.style.height).toBe(`${(2000 - WINDOW_ROWS) * ROW_HEIGHT}px`);
    // The header stays; the scroll container is the hook for scrolling.
    expect(table.querySelectorAll('thead th')).toHaveLength(10);
    expect(byTestId('vm-scroll').contains(table)).toBe(true);
  });

  it('follows the scroll position', async () => {
    await mount(200);
    const scroller = byTestId('vm-scroll');
    scroller.scrollTop = 100 * ROW_HEIGHT;
    await fireEvent.scroll(scroller);
    const names = rendered();
    expect(names).toContain('bench-100');
    expect(names).not.toContain('bench-0');
    expect(names).toHaveLength(Math.ceil(VIEW_HEIGHT / ROW_HEIGHT) + 2 * OVERSCAN);
    expect(row('bench-100')?.getAttribute('aria-rowindex')).toBe('102');
    const top = document.querySelector<HTMLElement>('tbody tr.spacer:first-child')!;
    expect(top.style.height).toBe(`${(100 - OVERSCAN) * ROW_HEIGHT}px`);
  });

  it('changes no DOM for a pushed update to a VM out of view, and only that row for one in view', async () => {
    await mount(200);
    const inView = rendered();
    expect(inView).not.toContain('bench-150');
    const tbody = byTestId('vm-table').querySelector('tbody')!;
    const records: MutationRecord[] = [];
    const observer = new MutationObserver((list) => records.push(...list));
    observer.observe(tbody, { subtree: true, childList: true, attributes: true, characterData: true });

    // The figures of the running VMs in view unchanged; one out of view moved on.
    const running = inView.filter((name) => current(name!).state === 'running').map((name) => current(name!));
    fake.api.emit({ kind: 'vm_stats', host_id: '7', vms: [...running, current('bench-150', { cpu_percent: 3, net_rx_bytes: 1e9 })] });
    // bench-101 is shut off (every third one is): it starts, out of view.
    fake.api.emit({ kind: 'vm_lifecycle', host_id: '7', uuid: 'uuid-bench-101', name: 'bench-101', event: 'started', state: 'running' });
    flushSync();
    await tick();
    observer.takeRecords();
    expect(records).toEqual([]);
    expect(fake.api.count('list_vms')).toBe(1);

    // The same kind of update to a VM in view changes that row, and no other.
    fake.api.emit({ kind: 'vm_stats', host_id: '7', vms: [...running.slice(1), current('bench-0', { cpu_percent: 42.4 })] });
    flushSync();
    await tick();
    records.push(...observer.takeRecords());
    observer.disconnect();
    expect(records.length).toBeGreaterThan(0);
    const touched = new Set(records.map((r) => (r.target instanceof Element ? r.target : r.target.parentElement)?.closest('tr')?.dataset.vm));
    expect([...touched]).toEqual(['bench-0']);
    expect(row('bench-0')?.textContent).toContain('42%');
  });

  it('moves a selection with the keyboard and scrolls it into view; Enter does nothing', async () => {
    await mount(200);
    const table = byTestId('vm-table');
    const scroller = byTestId('vm-scroll');
    expect(table.tabIndex).toBe(0);
    table.focus();
    expect(selectedName()).toBeUndefined();

    await fireEvent.keyDown(table, { key: 'ArrowDown' });
    expect(selectedName()).toBe('bench-0');
    expect(row('bench-0')?.getAttribute('aria-selected')).toBe('true');
    expect(row('bench-1')?.getAttribute('aria-selected')).toBe('false');
    expect(table.getAttribute('aria-activedescendant')).toBe(row('bench-0')?.id);
    await fireEvent.keyDown(table, { key: 'ArrowDown' });
    await fireEvent.keyDown(table, { key: 'ArrowDown' });
    expect(selectedName()).toBe('bench-2');
    await fireEvent.keyDown(table, { key: 'ArrowUp' });
    expect(selectedName()).toBe('bench-1');

    // A page is the view less one row.
    const page = Math.floor(VIEW_HEIGHT / ROW_HEIGHT) - 1;
    await fireEvent.keyDown(table, { key: 'PageDown' });
    expect(selectedName()).toBe(`bench-${1 + page}`);

    await fireEvent.keyDown(table, { key: 'End' });
    expect(selectedName()).toBe('bench-199');
    expect(scroller.scrollTop).toBe(200 * ROW_HEIGHT - VIEW_HEIGHT);
    expect(rendered()).not.toContain('bench-0');
    expect(row('bench-199')?.getAttribute('aria-rowindex')).toBe('201');

    await fireEvent.keyDown(table, { key: 'PageUp' });
    expect(selectedName()).toBe(`bench-${199 - page}`);
    await fireEvent.keyDown(table, { key: 'Home' });
    expect(selectedName()).toBe('bench-0');
    expect(scroller.scrollTop).toBe(0);
    expect(rendered()).toContain('bench-0');
    await fireEvent.keyDown(table, { key: 'ArrowUp' });
    expect(selectedName()).toBe('bench-0');

    await fireEvent.keyDown(table, { key: 'Enter' });
    await fireEvent.keyDown(table, { key: ' ' });
    expect(fake.api.count('vm_action')).toBe(0);
    expect(screen.queryByRole('alertdialog')).toBeNull();

    // From a row's button, arrows move the selection and take focus back to the table.
    const button = row('bench-1')!.querySelector<HTMLButtonElement>('[data-action="shutdown"]')!;
    button.focus();
    await fireEvent.keyDown(button, { key: 'ArrowDown' });
    expect(selectedName()).toBe('bench-1');
    expect(document.activeElement).toBe(table);
    expect(fake.api.count('vm_action')).toBe(0);
  });

  it('selects a row on click, and keeps the selection across pushes', async () => {
    await mount(50);
    await fireEvent.click(row('bench-3')!.querySelector('td.name')!);
    expect(selectedName()).toBe('bench-3');
    fake.api.pushStats('7');
    await tick();
    expect(selectedName()).toBe('bench-3');
  });

  it('filters 2000 VMs as you type and finds bench-1999', async () => {
    await mount(2000);
    const input = byTestId<HTMLInputElement>('vm-filter');
    const typed = 'bench-1999';
    const times: number[] = [];
    for (let i = 1; i <= typed.length; i++) {
      const t0 = performance.now();
      await fireEvent.input(input, { target: { value: typed.slice(0, i) } });
      times.push(performance.now() - t0);
    }
    expect(rendered()).toEqual(['bench-1999']);
    expect(byTestId('vm-table').getAttribute('aria-rowcount')).toBe('2');

    await fireEvent.input(input, { target: { value: 'BENCH-19' } });
    // bench-19, bench-190..199, bench-1900..1999: 111 matches, a window of them rendered.
    expect(byTestId('vm-table').getAttribute('aria-rowcount')).toBe('112');
    expect(rendered()).toHaveLength(WINDOW_ROWS);

    const avg = times.reduce((a, b) => a + b, 0) / times.length;
    // For the record only (jsdom, not WebKit): timings are not asserted.
    console.log(
      `filter over 2000 VMs in jsdom, per keystroke (event + DOM update): ` +
        `avg ${avg.toFixed(1)} ms, max ${Math.max(...times).toFixed(1)} ms [${times.map((t) => t.toFixed(1)).join(', ')}]`,
    );
  });

  it('marks the first painted rows once', async () => {
    await mount(300);
    await waitFor(() => expect(fake.api.marks).toEqual(['first-rows']));
    const at = Number(document.documentElement.dataset.firstRows);
    expect(at).toBeGreaterThan(0);
    // Later lists and pushes add no mark.
    fake.api.emit({ kind: 'resync', host_id: null });
    fake.api.pushStats('7');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(fake.api.marks).toEqual(['first-rows']);
  });
});
