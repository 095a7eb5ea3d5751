// The start-up mark: when the first screen of VM rows is on screen, so the time to first
// useful paint can be measured from outside (the core's log, a WebDriver, the profiler).
import type { Api } from './api';

/** The name the core logs (`ui_mark`), and the Performance API mark (`vireo:` + name). */
export const FIRST_ROWS = 'first-rows';

/**
 * Call once the rows are in the DOM: two animation frames later they have been painted. Then
 * the mark goes to the core's log, to the Performance timeline and to
 * `document.documentElement.dataset.firstRows` (milliseconds since navigation start).
 */
export function markFirstRows(api: Pick<Api, 'mark'>): void {
  const frame: (cb: () => void) => void =
    typeof requestAnimationFrame === 'function' ? (cb) => requestAnimationFrame(() => cb()) : (cb) => setTimeout(cb, 16);
  frame(() =>
    frame(() => {
      const at = performance.now();
      try {
        performance.mark(`vireo:${FIRST_ROWS}`, { startTime: at });
      } catch {
        // A Performance API without user timing: the other two marks still hold.
      }
      document.documentElement.dataset.firstRows = String(at);
      // For measuring only: a core without the command must not bother the user.
      api.mark(FIRST_ROWS).catch(() => {});
    }),
  );
}
