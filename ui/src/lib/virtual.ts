// The arithmetic of the virtualised VM table: every row has one fixed height, so which rows
// a scroll position shows, and where a row must scroll to be seen, follow from numbers alone
// (no row is measured). Only the rows in view plus OVERSCAN on each side are in the DOM;
// two spacer rows stand for the rest.

/** Height of one VM row in CSS pixels; VmRow's styles keep every row exactly this tall. */
export const ROW_HEIGHT = 44;
/** Rows rendered beyond each edge of the view, so a short scroll shows no blank. */
export const OVERSCAN = 4;

export interface Viewport {
  /** The scroll container's scrollTop. */
  scrollTop: number;
  /** Its visible height (clientHeight). */
  height: number;
  /** Height of the sticky header row, which covers the top of the view. */
  header: number;
  rowHeight: number;
}

/** The rows to render, `start` inclusive, `end` exclusive. */
export interface RowRange {
  start: number;
  end: number;
}

export function visibleRange(count: number, view: Viewport, overscan = OVERSCAN): RowRange {
  if (count <= 0) return { start: 0, end: 0 };
  const { height, header, rowHeight } = view;
  // As the browser would clamp it once the rows have shrunk (its scroll event may come later).
  const scrollTop = Math.min(view.scrollTop, Math.max(0, header + count * rowHeight - height));
  const first = Math.floor(Math.max(0, scrollTop - header) / rowHeight);
  const last = Math.ceil(Math.max(0, scrollTop + height - header) / rowHeight);
  const start = Math.min(Math.max(0, first - overscan), count - 1);
  const end = Math.min(count, Math.max(start + 1, last + overscan));
  return { start, end };
}

/** How many rows a PageUp/PageDown moves: one view, less a row for context. */
export function pageRows(view: Viewport): number {
  return Math.max(1, Math.floor((view.height - view.header) / view.rowHeight) - 1);
}

/** The scrollTop that shows row `index` whole, moving as little as possible. */
export function scrollToShow(index: number, count: number, view: Viewport): number {
  const { scrollTop, height, header, rowHeight } = view;
  const top = index * rowHeight; // from the end of the header
  const bottom = top + rowHeight;
  let next = scrollTop;
  if (bottom + header > scrollTop + height) next = bottom + header - height;
  if (top < next) next = top;
  const max = Math.max(0, header + count * rowHeight - height);
  return Math.min(Math.max(0, next), max);
}
