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
