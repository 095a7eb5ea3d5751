import { describe, expect, it } from 'vitest';
import { fakePool, fakeVolume } from './fake-storage';
import { defaultForm, formProblems, macProblem, parseSize, stepProblems, toNewVm, type HostChoices, type VmForm } from './vm-form';

const pool = fakePool({ name: 'default' });
const iso = fakeVolume(fakePool({ name: 'vireo-isos' }), { name: 'debian.iso', format: 'iso', capacity: 600 << 20 });
const template = fakeVolume(pool, { name: 'base.qcow2', capacity: 2 * 2 ** 30 });

function choices(over: Partial<HostChoices> = {}): HostChoices {
  return {
    limits: { memory_kib: 4 << 20, cpus: 2, uefi: false },
    networks: ['isolated', 'default'],
    pools: [fakePool({ name: 'vireo-isos' }), pool, fakePool({ name: 'off', state: 'inactive' })],
    isos: [iso],
    volumes: [template, iso],
    ...over,
  };
}

function form(over: Partial<VmForm> = {}): VmForm {
  return { ...defaultForm(choices()), name: 'web-01', ...over };
}

describe('the wizard defaults', () => {
  it('work as they are: the first ISO, a disk in default, a NIC on default, started', () => {
    const f = defaultForm(choices());
    expect(f).toMatchObject({ source: 'iso', iso: iso.path, pool: 'default', vcpus: '1', memory: '1024', memoryUnit: 'MiB', nics: [{ network: 'default', mac: '' }], firmware: 'bios', start: true });
    expect(formProblems({ ...f, name: 'web' }, choices())).toEqual({});
  });

  it('fit a small host and a host without a default pool or network', () => {
    const f = defaultForm(choices({ limits: { memory_kib: 512 << 10, cpus: 1, uefi: false }, pools: [fakePool({ name: 'vireo-isos' }), fakePool({ name: 'fast' })], networks: ['lab'] }));
    expect(f).toMatchObject({ memory: '256', pool: 'fast', nics: [{ network: 'lab', mac: '' }] });
  });
});

describe('the checks before sending', () => {
  it('hold the host to its CPUs, memory and firmware', () => {
    expect(formProblems(form({ vcpus: '3' }), choices()).vcpus).toEqual({ key: 'wizard.problem.vcpusBeyond', params: { cpus: 2 } });
    expect(formProblems(form({ memory: '5', memoryUnit: 'GiB' }), choices()).memory).toEqual({ key: 'wizard.problem.memoryBeyond', params: { host: '4 GiB' } });
    expect(formProblems(form({ firmware: 'uefi' }), choices()).firmware).toEqual({ key: 'wizard.problem.uefi' });
    expect(formProblems(form({ firmware: 'uefi' }), choices({ limits: { memory_kib: 4 << 20, cpus: 2, uefi: true } })).firmware).toBeUndefined();
  });

  it('refuse counts and sizes that are not numbers, and too little memory', () => {
    const p = formProblems(form({ vcpus: '0', memory: '8', diskSize: 'ten' }), choices());
    expect(Object.keys(p).sort()).toEqual(['diskSize', 'memory', 'vcpus']);
    expect(stepProblems(p, 'hardware').sort()).toEqual(['diskSize', 'memory', 'vcpus']);
    expect(stepProblems(p, 'source')).toEqual([]);
  });

  it('use the shared name rule', () => {
    expect(formProblems(form({ name: 'a/b' }), choices()).name).toEqual({ name: { kind: 'bad_char', char: '/' } });
  });

  it('need what the source needs', () => {
    expect(Object.keys(formProblems(form({ iso: '' }), choices()))).toEqual(['iso']);
    expect(Object.keys(formProblems(form({ source: 'linked_clone', template: '' }), choices()))).toEqual(['template']);
    expect(Object.keys(formProblems(form({ source: 'import', importPath: '' }), choices()))).toEqual(['importPath']);
    const small = formProblems(form({ source: 'linked_clone', template: template.path, diskSize: '1', diskUnit: 'GiB' }), choices());
    expect(small.diskSize).toEqual({ key: 'wizard.problem.diskBelowTemplate', params: { size: '2 GiB' } });
  });

  it('check MACs as the core does', () => {
    expect(macProblem('')).toBeNull();
    expect(macProblem('52:54:00:12:34:56')).toBeNull();
    expect(macProblem('52:54:00:12:34')).toMatchObject({ key: 'wizard.problem.mac' });
    expect(macProblem('01:00:5e:00:00:01')).toMatchObject({ key: 'wizard.problem.macMulticast' });
    expect(formProblems(form({ nics: [{ network: 'default', mac: 'zz' }] }), choices()).mac0).toMatchObject({ key: 'wizard.problem.mac' });
  });

  it('need a host name for cloud-init, and a pool for its seed', () => {
    expect(formProblems(form({ cloudInit: true, ciHostname: 'bad name' }), choices()).ciHostname).toEqual({ key: 'wizard.problem.hostname' });
    expect(formProblems(form({ cloudInit: true, ciHostname: 'web' }), choices())).toEqual({});
    expect(formProblems(form({ cloudInit: true, ciHostname: 'web', source: 'import', importPath: template.path }), choices()).ciHostname).toEqual({ key: 'wizard.problem.seedPool' });
  });
});

describe('the form the core gets', () => {
  it('from an ISO: a blank qcow2 disk, the ISO in the CD-ROM, sizes in bytes and MiB', () => {
    const vm = toNewVm(form({ memory: '1.5', memoryUnit: 'GiB', diskSize: '64', diskUnit: 'MiB', nics: [{ network: 'default', mac: ' 52:54:00:aa:bb:cc ' }] }));
    expect(vm).toEqual({
      name: 'web-01', vcpus: 1, memory_mib: 1536, disk: { kind: 'blank', pool: 'default', size: 64 << 20, format: 'qcow2' }, disk_bus: 'virtio',
      cdrom: iso.path, nics: [{ network: 'default', mac: '52:54:00:aa:bb:cc' }], firmware: 'bios', cloud_init: null, description: null, start: true,
    });
  });

  it('for templates and imports: no CD-ROM; a clone keeps the template size unless one is given', () => {
    expect(toNewVm(form({ source: 'linked_clone', template: template.path, diskSize: '' })).disk).toEqual({ kind: 'linked_clone', pool: 'default', template: template.path, size: null });
    expect(toNewVm(form({ source: 'linked_clone', template: template.path, diskSize: '3' })).disk).toMatchObject({ size: 3 * 2 ** 30 });
    expect(toNewVm(form({ source: 'full_copy', template: template.path }))).toMatchObject({ disk: { kind: 'full_copy', pool: 'default', template: template.path }, cdrom: null });
    expect(toNewVm(form({ source: 'import', importPath: template.path })).disk).toEqual({ kind: 'import', path: template.path });
  });

  it('with cloud-init: empty fields left out', () => {
    const vm = toNewVm(form({ cloudInit: true, ciHostname: ' web ', ciUser: 'ada', ciPassword: '', ciSshKey: ' ssh-ed25519 AAA ', start: false }));
    expect(vm.cloud_init).toEqual({ hostname: 'web', user: 'ada', password: null, ssh_key: 'ssh-ed25519 AAA', user_data: null });
    expect(vm.start).toBe(false);
  });

  it('reads sizes as the unit says', () => {
    expect(parseSize('10', 'GiB')).toBe(10 * 2 ** 30);
    expect(parseSize('0.5', 'GiB')).toBe(512 << 20);
    expect(parseSize('0', 'MiB')).toBeNull();
    expect(parseSize('-1', 'MiB')).toBeNull();
    expect(parseSize('1e3', 'MiB')).toBeNull();
  });
});
