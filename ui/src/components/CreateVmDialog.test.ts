// The Create VM wizard on its own against the fake backend: it reads the host first,
// checks each step against the host's limits in the UI language, sends the NewVm the form
// describes, and shows the core's refusal when the host says no.
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { NewVm } from '../bindings/NewVm';
import { FakeApi } from '../lib/fake-api';
import { fakePool, fakeVolume, ISO_POOL } from '../lib/fake-storage';
import { setLocale } from '../lib/i18n';
import { host, vm } from '../lib/testing';
import CreateVmDialog from './CreateVmDialog.svelte';

const byTestId = <T extends HTMLElement = HTMLElement>(id: string) => screen.getByTestId(id) as T;
const type = (id: string, value: string) => fireEvent.input(byTestId(id), { target: { value } });
const next = () => fireEvent.click(byTestId('wizard-next'));

let api: FakeApi;
let onclose: ReturnType<typeof vi.fn<() => void>>;
let sent: NewVm[];

beforeEach(() => {
  setLocale('en');
  api = new FakeApi();
  api.hosts = [host({ id: '1' })];
  api.vms['1'] = [vm({ name: 'taken' })];
  api.storage.limits = { memory_kib: 2 << 20, cpus: 2, uefi: false };
  api.storage.addPool('1', fakePool({ name: 'default' }));
  const lib = fakePool({ name: ISO_POOL });
  api.storage.addPool('1', lib, [fakeVolume(lib, { name: 'debian.iso', format: 'iso' })]);
  onclose = vi.fn();
  sent = [];
});

afterEach(() => setLocale('en'));

function open() {
  render(CreateVmDialog, {
    props: {
      api,
      host: api.hosts[0],
      oncreate: (form: NewVm) => {
        sent.push(form);
        return api.createVm('1', form);
      },
      onclose,
    },
  });
  return waitFor(() => byTestId('wizard'));
}

describe('the Create VM wizard', () => {
  it('goes through its steps with working defaults and sends the form', async () => {
    await open();
    expect(byTestId<HTMLSelectElement>('wizard-iso').value).toBe('/var/lib/libvirt/images/vireo-isos/debian.iso');
    await next();
    await type('wizard-name', 'web');
    await next();
    expect(byTestId('wizard').dataset.step).toBe('network');
    // No OVMF on the host: UEFI is not offered.
    expect(byTestId<HTMLInputElement>('wizard-firmware-uefi').disabled).toBe(true);
    expect(byTestId('wizard-no-uefi').textContent).toContain('OVMF');
    await next();
    await fireEvent.click(byTestId('wizard-create'));
    await waitFor(() => expect(onclose).toHaveBeenCalled());
    expect(sent[0]).toMatchObject({
      name: 'web', vcpus: 1, memory_mib: 1024, cdrom: '/var/lib/libvirt/images/vireo-isos/debian.iso',
      disk: { kind: 'blank', pool: 'default', size: 10 * 2 ** 30, format: 'qcow2' }, nics: [{ network: 'default', mac: null }], start: true,
    });
    expect(api.storage.tasks[0]).toMatchObject({ kind: 'create_vm', target: 'web' });
  });

  it('holds a step back with the host\'s limits, said in the UI language', async () => {
    await open();
    await next();
    await type('wizard-name', 'web');
    await type('wizard-vcpus', '8');
    await type('wizard-memory', '3');
    await fireEvent.change(byTestId('wizard-memory-unit'), { target: { value: 'GiB' } });
    await next();
    expect(byTestId('wizard').dataset.step).toBe('hardware');
    expect(byTestId('wizard-problem-vcpus').textContent).toBe('The host has only 2 CPUs.');
    expect(byTestId('wizard-problem-memory').textContent).toBe('The host has only 2 GiB of memory.');
    setLocale('zh');
    await waitFor(() => expect(byTestId('wizard-problem-vcpus').textContent).toBe('主机只有 2 个 CPU。'));
  });

  it('shows the core\'s refusal and stays open', async () => {
    await open();
    await next();
    await type('wizard-name', 'taken');
    await next();
    await next();
    await fireEvent.click(byTestId('wizard-create'));
    await waitFor(() => expect(byTestId('wizard-error').dataset.code).toBe('already_exists'));
    expect(byTestId('wizard-error').textContent).toContain('Something of that name already exists.');
    expect(onclose).not.toHaveBeenCalled();
  });

  it('with an empty library, asks for an ISO before going on', async () => {
    api.storage.volumes[`1/${ISO_POOL}`] = [];
    await open();
    await next();
    expect(byTestId('wizard').dataset.step).toBe('source');
    expect(byTestId('wizard-problem-iso').textContent).toContain('Choose an ISO');
  });
});
