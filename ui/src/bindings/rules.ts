// Generated from crates/vireo-core (rules.rs, vm.rs, stats.rs) by its bindings test; do not edit.
import type { VmAction } from './VmAction';
import type { VmState } from './VmState';

/** Longest name Vireo creates, in characters (code points). */
export const NAME_MAX_CHARS = 64;
/** What the first character of a name may be (RegExp source, use with the `u` flag). */
export const NAME_FIRST_CHAR = "[\\p{L}\\p{N}]";
/** What every other character may be (RegExp source, `u` flag). */
export const NAME_CHAR = "[\\p{L}\\p{N}\\p{M}._\\-]";

/** How often each host pushes `vm_stats` events, in milliseconds (`STATS_INTERVAL_MS`). */
export const STATS_INTERVAL_MS = 2000;

/** The lifecycle actions each VM state allows (`VmState::allows`). */
export const ALLOWED_ACTIONS: Record<VmState, readonly VmAction[]> = {
  no_state: ["start"],
  running: ["shutdown", "destroy", "reboot", "suspend"],
  blocked: ["shutdown", "destroy", "reboot", "suspend"],
  paused: ["destroy", "resume"],
  shutting_down: ["destroy"],
  shut_off: ["start"],
  crashed: ["start"],
  suspended: ["destroy"],
};
