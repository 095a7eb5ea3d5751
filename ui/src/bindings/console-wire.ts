// Generated from crates/vireo-core/src/console.rs by its bindings test; do not edit.
// The console's binary frame layout is documented there.
import type { ConsoleState } from './ConsoleState';

/** Record kinds of a console frame buffer. */
export const WIRE_KIND = {
  Rect: 1,
  Resize: 2,
  Cursor: 3,
  Bell: 4,
  Clipboard: 5,
  State: 6,
} as const;

/** The `State` record's byte for each console state. */
export const CONSOLE_STATE_CODE: Record<ConsoleState, number> = {
  "connecting": 0,
  "connected": 1,
  "reconnecting": 2,
  "closed": 3,
};
