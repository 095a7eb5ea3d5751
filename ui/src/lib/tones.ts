// Which colour a badge takes for each value (the `.badge` colour classes in app.css), kept
// beside the labels rather than in each component so a state looks the same everywhere.
import type { HostKind } from '../bindings/HostKind';
import type { HostStatus } from '../bindings/HostStatus';
import type { VmState } from '../bindings/VmState';

/** '' is the neutral grey. */
export type Tone = '' | 'green' | 'amber' | 'red' | 'blue' | 'violet';

export const STATE_TONE: Record<VmState, Tone> = {
  no_state: '',
  running: 'green',
  blocked: 'amber',
  paused: 'amber',
  shutting_down: 'blue',
  shut_off: '',
  crashed: 'red',
  suspended: 'violet',
};

export const HOST_STATUS_TONE: Record<HostStatus, Tone> = {
  connected: 'green',
  connecting: 'amber',
  disconnected: 'red',
};

export const HOST_KIND_TONE: Record<HostKind, Tone> = {
  local: '',
  remote: 'blue',
  ssh: 'blue',
  demo: 'violet',
};
