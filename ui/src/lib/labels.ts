// Message keys for the values of the generated enums. Typed as complete records so a new
// Rust variant without a label fails type-checking; the i18n test checks these keys too.
import type { Accel } from '../bindings/Accel';
import type { AddressSource } from '../bindings/AddressSource';
import type { BatchAction } from '../bindings/BatchAction';
import type { ConsoleState } from '../bindings/ConsoleState';
import type { HostKind } from '../bindings/HostKind';
import type { HostStatus } from '../bindings/HostStatus';
import type { VmAction } from '../bindings/VmAction';
import type { VmState } from '../bindings/VmState';
import type { MessageKey } from './i18n';
import type { VmFilter } from './vms';

export const STATE_LABEL: Record<VmState, MessageKey> = {
  no_state: 'state.no_state',
  running: 'state.running',
  blocked: 'state.blocked',
  paused: 'state.paused',
  shutting_down: 'state.shutting_down',
  shut_off: 'state.shut_off',
  crashed: 'state.crashed',
  suspended: 'state.suspended',
};

export const ACTION_LABEL: Record<VmAction, MessageKey> = {
  start: 'action.start',
  shutdown: 'action.shutdown',
  reboot: 'action.reboot',
  suspend: 'action.suspend',
  resume: 'action.resume',
  destroy: 'action.destroy',
};

export const HOST_KIND_LABEL: Record<HostKind, MessageKey> = {
  local: 'hostKind.local',
  remote: 'hostKind.remote',
  ssh: 'hostKind.ssh',
  demo: 'hostKind.demo',
};

export const HOST_STATUS_LABEL: Record<HostStatus, MessageKey> = {
  connected: 'hostStatus.connected',
  connecting: 'hostStatus.connecting',
  disconnected: 'hostStatus.disconnected',
};

export const ACCEL_LABEL: Record<Accel, MessageKey> = {
  auto: 'accel.auto',
  kvm: 'accel.kvm',
  qemu: 'accel.qemu',
};

export const FILTER_LABEL: Record<VmFilter, MessageKey> = {
  all: 'vms.filter.all',
  running: 'vms.filter.running',
  stopped: 'vms.filter.stopped',
};

/** Where a VM's addresses were learnt. */
export const ADDRESS_SOURCE_LABEL: Record<AddressSource, MessageKey> = {
  lease: 'vms.addressSource.lease',
  agent: 'vms.addressSource.agent',
};

/** The batch actions: the same words as the buttons of one VM. */
export const BATCH_LABEL: Record<BatchAction['kind'], MessageKey> = {
  start: 'action.start',
  shutdown: 'action.shutdown',
  destroy: 'action.destroy',
  delete: 'vm.delete',
};

/**
 * History `action` values (`record` calls in vireo-app): the VM actions keep their button
 * labels. A plain string table, not a Record over a generated type, because history holds
 * whatever older or newer versions recorded; unknown actions are shown raw.
 */
export const HISTORY_ACTION_LABEL: Readonly<Record<string, MessageKey>> = {
  ...ACTION_LABEL,
  add_host: 'history.action.add_host',
  edit_host: 'history.action.edit_host',
  remove_host: 'history.action.remove_host',
  set_accel: 'history.action.set_accel',
  connect_host: 'history.action.connect_host',
  disconnect_host: 'history.action.disconnect_host',
  // Answers to an SSH host's prompt, and its failed sign-ins (vireo-app hosts.rs, session.rs).
  accept_host_key: 'history.action.accept_host_key',
  refuse_host_key: 'history.action.refuse_host_key',
  give_password: 'history.action.give_password',
  give_passphrase: 'history.action.give_passphrase',
  cancel_sign_in: 'history.action.cancel_sign_in',
  sign_in: 'history.action.sign_in',
};

/** History `actor` values: who made the change. */
export const HISTORY_ACTOR_LABEL: Readonly<Record<string, MessageKey>> = {
  app: 'history.actor.app',
  cli: 'history.actor.cli',
};

/** Translated summaries of the core's error codes (`Error::code` in vireo-core). */
export const ERROR_TITLE: Readonly<Record<string, MessageKey>> = {
  invalid_input: 'error.invalid_input',
  vm_not_found: 'error.vm_not_found',
  host_not_found: 'error.host_not_found',
  unreachable: 'error.unreachable',
  timeout: 'error.timeout',
  disconnected: 'error.disconnected',
  invalid_state: 'error.invalid_state',
  libvirt: 'error.libvirt',
  not_found: 'error.not_found',
  already_exists: 'error.already_exists',
  in_use: 'error.in_use',
  checksum_mismatch: 'error.checksum_mismatch',
  beyond_host: 'error.beyond_host',
  exhausted: 'error.exhausted',
  address_taken: 'error.address_taken',
  cancelled: 'error.cancelled',
  interrupted: 'error.interrupted',
  store: 'error.store',
  internal: 'error.internal',
};

/** Translated hints, for the codes where the core gives one (`Error::hint`). */
export const ERROR_HINT: Readonly<Record<string, MessageKey>> = {
  invalid_input: 'errorHint.invalid_input',
  vm_not_found: 'errorHint.vm_not_found',
  host_not_found: 'errorHint.host_not_found',
  unreachable: 'errorHint.unreachable',
  timeout: 'errorHint.timeout',
  disconnected: 'errorHint.disconnected',
  invalid_state: 'errorHint.invalid_state',
};

export const CONSOLE_STATE_LABEL: Record<ConsoleState, MessageKey> = {
  connecting: 'console.state.connecting',
  connected: 'console.state.connected',
  reconnecting: 'console.state.reconnecting',
  closed: 'console.state.closed',
};
