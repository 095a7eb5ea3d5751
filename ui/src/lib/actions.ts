// Which lifecycle actions apply in which VM state. The table itself is generated from
// `VmState::allows` (crates/vireo-core) into bindings/rules.ts, so the UI greys out
// exactly what the core would refuse and there is one source to change.
import { ALLOWED_ACTIONS } from '../bindings/rules';
import type { VmAction } from '../bindings/VmAction';
import type { VmState } from '../bindings/VmState';

/** The order the action buttons appear in a row. */
export const ACTIONS: readonly VmAction[] = ['start', 'shutdown', 'reboot', 'suspend', 'resume', 'destroy'];

/** Whether libvirt has a QEMU process for the VM (Rust: `VmState::is_active`). */
export function isActive(state: VmState): boolean {
  return state !== 'shut_off' && state !== 'crashed' && state !== 'no_state';
}

export function isAllowed(state: VmState, action: VmAction): boolean {
  return ALLOWED_ACTIONS[state].includes(action);
}

/**
 * Whether a row's button for `action` may be pressed. Nothing applies while the row is stale
 * (its host is not connected, so its state is unknown) or while another action on it runs.
 * Any control that acts on VMs, one row or several, asks this.
 */
export function canAct(state: VmState, action: VmAction, row: { stale: boolean; busy: boolean }): boolean {
  return !row.stale && !row.busy && isAllowed(state, action);
}
