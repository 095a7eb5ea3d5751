// The fake backend refuses exactly what the core refuses, with the core's own payloads
// (bindings/validation-cases.json), so tests built on it see real rejections.
import { describe, expect, it } from 'vitest';
import cases from '../bindings/validation-cases.json';
import { FakeApi } from './fake-api';

const GOOD_NAME = 'Lab';
const GOOD_URI = 'qemu:///system';

describe('FakeApi.addHost', () => {
  for (const { input, error } of cases.host_name) {
    it(`answers the host name ${JSON.stringify(input)} as the core does`, async () => {
      const result = new FakeApi().addHost(input, GOOD_URI);
      if (error) await expect(result).rejects.toEqual(error);
      else await expect(result).resolves.toMatchObject({ uri: GOOD_URI });
    });
  }

  for (const { input, error } of cases.connection_uri) {
    it(`answers the URI ${JSON.stringify(input)} as the core does`, async () => {
      const result = new FakeApi().addHost(GOOD_NAME, input);
      if (error) await expect(result).rejects.toEqual(error);
      else await expect(result).resolves.toMatchObject({ name: GOOD_NAME, uri: input.trim() });
    });
  }

  it('judges names that are no listed case by the shared rule', async () => {
    await expect(new FakeApi().addHost('x'.repeat(70), GOOD_URI)).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringContaining('too_long'),
    });
  });

  it('checks the name before the URI, as the core does', async () => {
    const name = cases.host_name.find((c) => c.error !== null)!;
    const uri = cases.connection_uri.find((c) => c.error !== null)!;
    await expect(new FakeApi().addHost(name.input, uri.input)).rejects.toEqual(name.error);
  });

  it('refuses a second host of the same name and records every attempt', async () => {
    const api = new FakeApi();
    await api.addHost(' Lab ', GOOD_URI);
    await expect(api.addHost('Lab', GOOD_URI)).rejects.toMatchObject({ message: "invalid host name: a host named 'Lab' already exists; pick another name" });
    expect(api.history.map((e) => [e.host, e.ok])).toEqual([
      ['Lab', false],
      ['Lab', true],
    ]);
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
