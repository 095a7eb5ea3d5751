// Builders for unit tests (not part of the app bundle: only *.test.ts import this).
import type { HostSummary } from '../bindings/HostSummary';
import type { HostTarget } from '../bindings/HostTarget';
import type { SshSpec } from '../bindings/SshSpec';
import type { VmStats } from '../bindings/VmStats';
import type { VmSummary } from '../bindings/VmSummary';

export function vm(over: Partial<VmSummary> = {}): VmSummary {
  const name = over.name ?? 'vm1';
  return {
    uuid: `uuid-${name}`,
    name,
    state: 'running',
    vcpus: 2,
    memory_kib: 1024 * 1024,
    max_memory_kib: 2 * 1024 * 1024,
    cpu_percent: 12.5,
    memory_rss_kib: 800 * 1024,
    disk_read_bytes: 5 * 1024 * 1024,
    disk_write_bytes: 1024 * 1024,
    net_rx_bytes: 2048,
    net_tx_bytes: 1024,
    ...over,
  };
}

export function host(over: Partial<HostSummary> = {}): HostSummary {
  const id = over.id ?? '1';
  return {
    id,
    name: `host-${id}`,
    uri: 'test:///default',
    kind: 'demo',
    accel: 'auto',
    status: 'connected',
    error: null,
    ssh: null,
    prompt: null,
    retrying: true,
    ...over,
  };
}

/** A host reached by a libvirt URI. */
export function uriTarget(uri: string): HostTarget {
  return { type: 'uri', uri };
}

/** An SSH spec: root on `server`, port 22, signing in with a password unless told otherwise. */
export function sshSpec(over: Partial<SshSpec> = {}): SshSpec {
  return { user: 'root', host: 'server', port: 22, auth: 'password', key_path: null, read_only: false, ...over };
}

export function sshTarget(over: Partial<SshSpec> = {}): HostTarget {
  return { type: 'ssh', spec: sshSpec(over) };
}

/** One VM's pushed figures (`vm_stats`), for the VM named `name` as `vm()` builds it. */
export function vmStats(name: string, over: Partial<VmStats> = {}): VmStats {
  return {
    uuid: `uuid-${name}`,
    state: 'running',
    cpu_percent: 50,
    memory_kib: 1024 * 1024,
    memory_rss_kib: 900 * 1024,
    disk_read_bytes: 1,
    disk_write_bytes: 2,
    net_rx_bytes: 3,
    net_tx_bytes: 4,
    ...over,
  };
}
