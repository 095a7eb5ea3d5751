// Which lifecycle actions apply in which VM state. This mirrors `VmState::allows` in
// crates/vireo-core/src/vm.rs so the UI greys out exactly what the core would refuse;
// keep the two in step.
import type { VmAction } from '../bindings/VmAction';
import type { VmState } from '../bindings/VmState';

/** The order the action buttons appear in a row. */
export const ACTIONS: readonly VmAction[] = ['start', 'shutdown', 'reboot', 'suspend', 'resume', 'destroy'];

/** Whether libvirt has a QEMU process for the VM (Rust: `VmState::is_active`). */
export function isActive(state: VmState): boolean {
  return state !== 'shut_off' && state !== 'crashed' && state !== 'no_state';
}

export function isAllowed(state: VmState, action: VmAction): boolean {
  switch (action) {
    case 'start':
      return !isActive(state);
    case 'shutdown':
    case 'reboot':
    case 'suspend':
      return state === 'running' || state === 'blocked';
    case 'destroy':
      return isActive(state);
    case 'resume':
      return state === 'paused';
  }
}
