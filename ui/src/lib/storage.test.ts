// The Storage and ISO pages' state against the fake backend: lists, changes, refusals kept
// to show (a volume in use names its VMs), uploads as tasks and the task list fed by events.
import { beforeEach, describe, expect, it } from 'vitest';
import type { NewVm } from '../bindings/NewVm';
import { FakeApi } from './fake-api';
import { fakePool, fakeVolume, ISO_POOL } from './fake-storage';
import { Session } from './session.svelte';
import { IsoLibrary, StorageState } from './storage.svelte';
import { host, vm } from './testing';

let api: FakeApi;
const tick = () => new Promise((r) => setTimeout(r, 0));

beforeEach(() => {
  api = new FakeApi();
  api.hosts = [host({ id: '1' })];
  const pool = fakePool({ name: 'default' });
  api.storage.addPool('1', fakePool({ name: 'cold', state: 'inactive' }));
  api.storage.addPool('1', pool, [fakeVolume(pool, { name: 'web.qcow2', used_by: ['web'] }), fakeVolume(pool, { name: 'spare.img', format: 'raw' })]);
});

describe('the storage page', () => {
  it('lists the pools and the first running pool\'s volumes', async () => {
    const s = new StorageState(api, '1');
    await s.load();
    expect(s.pools?.map((p) => p.name)).toEqual(['cold', 'default']);
    expect(s.selected).toBe('default');
    expect(s.volumes?.map((v) => v.name)).toEqual(['web.qcow2', 'spare.img']);
    await s.select('cold');
    expect(s.volumes).toEqual([]);
  });

  it('creates, resizes and deletes volumes, and keeps the in-use refusal naming the VM', async () => {
    const s = new StorageState(api, '1');
    await s.load();
    expect(await s.createVolume({ name: 'data.qcow2', capacity: 1 << 30, format: 'qcow2', backing: null })).toBe(true);
    expect(s.volumes?.map((v) => v.name)).toContain('data.qcow2');
    expect(await s.resizeVolume('data.qcow2', 2 * 2 ** 30)).toBe(true);
    expect(s.volumes?.find((v) => v.name === 'data.qcow2')?.capacity).toBe(2 * 2 ** 30);
    expect(await s.deleteVolume('web.qcow2')).toBe(false);
    expect(s.actionError).toMatchObject({ code: 'in_use' });
    expect(s.actionError?.message).toContain('web');
    expect(await s.deleteVolume('spare.img')).toBe(true);
    expect(s.actionError).toBeNull();
    expect(s.volumes?.map((v) => v.name)).toEqual(['web.qcow2', 'data.qcow2']);
  });

  it('starts and stops pools and sets autostart', async () => {
    const s = new StorageState(api, '1');
    await s.load();
    await s.poolAction('cold', 'start');
    await s.poolAction('default', { autostart: false });
    expect(s.pools?.map((p) => [p.name, p.state, p.autostart])).toEqual([['cold', 'running', true], ['default', 'running', false]]);
    expect(api.calls).toContain('pool_action 1 default {"autostart":false}');
  });
});

describe('the ISO library', () => {
  it('uploads as a task the task list follows, then lists the ISO with its checksum', async () => {
    const session = new Session(api);
    const stop = session.start();
    await tick();
    const sha = 'ab'.repeat(32);
    api.storage.files.set('/home/me/guest.iso', { size: 8 << 20, sha256: sha });
    const lib = new IsoLibrary(api, '1');
    await lib.load();
    expect(lib.isos).toEqual([]);
    expect(lib.dir).toBe('/var/lib/libvirt/images/vireo-isos');
    const task = await lib.startUpload(' /home/me/guest.iso ', '', sha.toUpperCase());
    expect(task).toMatchObject({ kind: 'upload_volume', target: `${ISO_POOL}/guest.iso`, unit: 'bytes', total: 8 << 20 });
    await tick();
    expect(session.tasks.get(task!.id)?.state).toBe('running');
    api.storage.progress(task!.id, 4 << 20, 2 << 20);
    await tick();
    expect(session.tasks.get(task!.id)).toMatchObject({ done: 4 << 20, bytes_per_sec: 2 << 20 });
    // Switching views keeps the tasks.
    session.showHostPage('storage');
    session.showHistory();
    api.storage.finish(task!.id);
    await tick();
    expect(session.tasks.get(task!.id)).toMatchObject({ state: 'succeeded', result: sha });
    expect(session.tasks.ended).toBe(1);
    await lib.load();
    expect(lib.isos?.map((i) => [i.name, i.sha256])).toEqual([['guest.iso', sha]]);
    stop();
  });

  it('keeps a refused upload, a failed checksum and an ISO in use', async () => {
    const lib = new IsoLibrary(api, '1');
    await lib.load();
    expect(await lib.startUpload('/nowhere.iso', '', '')).toBeNull();
    expect(lib.actionError?.code).toBe('not_found');
    api.storage.files.set('/a.iso', { size: 1 << 20, sha256: 'cd'.repeat(32) });
    const task = await lib.startUpload('/a.iso', 'a.iso', 'ef'.repeat(32));
    api.storage.finish(task!.id);
    expect(api.storage.tasks[0]).toMatchObject({ state: 'failed', error: { code: 'checksum_mismatch' } });
    const pool = api.storage.pools['1'].find((p) => p.name === ISO_POOL)!;
    api.storage.volumes[`1/${ISO_POOL}`].push(fakeVolume(pool, { name: 'used.iso', used_by: ['web', 'db'] }));
    expect(await lib.remove('used.iso')).toBe(false);
    expect(lib.actionError).toMatchObject({ code: 'in_use', message: expect.stringContaining('web, db') });
  });
});

describe('tasks in the session', () => {
  it('start from VM create and delete; a refused cancel is kept for its task', async () => {
    api.vms['1'] = [vm({ name: 'old', state: 'shut_off' })];
    const session = new Session(api);
    const stop = session.start();
    await tick();
    await tick();
    const form: NewVm = {
      name: 'new', vcpus: 1, memory_mib: 256, disk: { kind: 'blank', pool: 'default', size: 1 << 30, format: 'qcow2' }, disk_bus: 'virtio',
      cdrom: null, nics: [], firmware: 'bios', cloud_init: null, description: null, start: true,
    };
    const made = await session.createVm('1', form);
    expect(session.tasks.list[0]).toMatchObject({ id: made.id, kind: 'create_vm', state: 'running' });
    await expect(session.createVm('1', { ...form, name: 'big', vcpus: 99 })).rejects.toMatchObject({ code: 'beyond_host' });
    await expect(session.createVm('1', { ...form, name: 'old' })).rejects.toMatchObject({ code: 'already_exists' });
    await session.deleteVm('uuid-old', true);
    expect(api.storage.calls).toContain('delete_vm old with storage');
    const del = session.tasks.list[0];
    expect(del).toMatchObject({ kind: 'delete_vm', target: 'old' });
    await session.tasks.cancel(del.id);
    expect(session.tasks.cancelError).toMatchObject({ id: del.id, error: { code: 'invalid_state' } });
    api.storage.finish(del.id);
    await tick();
    expect(session.tasks.get(del.id)?.state).toBe('succeeded');
    session.tasks.clearEnded();
    expect(session.tasks.shown.map((t) => t.id)).toEqual([made.id]);
    stop();
  });
});
