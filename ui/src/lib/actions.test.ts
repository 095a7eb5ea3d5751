import { describe, expect, it } from 'vitest';
import type { VmAction } from '../bindings/VmAction';
import type { VmState } from '../bindings/VmState';
import { ACTIONS, canAct, isActive, isAllowed } from './actions';

// The full table, written out so a change to the rule shows up as a diff here
// (and must be matched in VmState::allows on the Rust side).
const EXPECTED: Record<VmState, VmAction[]> = {
  no_state: ['start'],
  running: ['shutdown', 'reboot', 'suspend', 'destroy'],
  blocked: ['shutdown', 'reboot', 'suspend', 'destroy'],
  paused: ['resume', 'destroy'],
  shutting_down: ['destroy'],
  shut_off: ['start'],
  crashed: ['start'],
  suspended: ['destroy'],
};

describe('isAllowed', () => {
  for (const [state, allowed] of Object.entries(EXPECTED) as [VmState, VmAction[]][]) {
    it(`allows exactly ${allowed.join(', ')} when ${state}`, () => {
      expect(ACTIONS.filter((a) => isAllowed(state, a))).toEqual(ACTIONS.filter((a) => allowed.includes(a)));
    });
  }

  it('offers every action in the button order', () => {
    expect([...ACTIONS].sort()).toEqual(['destroy', 'reboot', 'resume', 'shutdown', 'start', 'suspend']);
  });
});

describe('isActive', () => {
  it('is false only without a QEMU process', () => {
    const inactive = (Object.keys(EXPECTED) as VmState[]).filter((s) => !isActive(s));
    expect(inactive.sort()).toEqual(['crashed', 'no_state', 'shut_off']);
  });
});

describe('canAct', () => {
  it('follows the state table on a live, idle row', () => {
    expect(canAct('shut_off', 'start', { stale: false, busy: false })).toBe(true);
    expect(canAct('shut_off', 'destroy', { stale: false, busy: false })).toBe(false);
  });

  it('allows nothing on a stale or busy row', () => {
    for (const action of ACTIONS) {
      expect(canAct('shut_off', action, { stale: true, busy: false })).toBe(false);
      expect(canAct('running', action, { stale: true, busy: false })).toBe(false);
      expect(canAct('running', action, { stale: false, busy: true })).toBe(false);
    }
  });
});
