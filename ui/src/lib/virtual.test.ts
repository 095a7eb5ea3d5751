import { describe, expect, it } from 'vitest';
import { OVERSCAN, pageRows, scrollToShow, visibleRange, type Viewport } from './virtual';

const at = (scrollTop: number, height = 440, header = 30): Viewport => ({ scrollTop, height, header, rowHeight: 44 });

describe('visibleRange', () => {
  it('renders the rows in view plus the overscan, never past either end', () => {
    expect(visibleRange(2000, at(0))).toEqual({ start: 0, end: Math.ceil(410 / 44) + OVERSCAN });
    const mid = visibleRange(2000, at(44 * 1000 + 30));
    expect(mid.start).toBe(1000 - OVERSCAN);
    expect(mid.end).toBe(1010 + OVERSCAN);
    expect(visibleRange(5, at(0))).toEqual({ start: 0, end: 5 });
    expect(visibleRange(0, at(0))).toEqual({ start: 0, end: 0 });
  });

  it('costs the same for 40 rows or 2000', () => {
    const few = visibleRange(40, at(0));
    const many = visibleRange(2000, at(0));
    expect(many.end - many.start).toBe(few.end - few.start);
  });

  it('clamps a scroll position left over from a longer list', () => {
    const { start, end } = visibleRange(20, at(44 * 1500));
    expect(end).toBe(20);
    expect(start).toBeLessThan(20 - 440 / 44);
  });
});

describe('scrollToShow', () => {
  it('moves as little as possible, clear of the sticky header', () => {
    // Already whole in view: no move.
    expect(scrollToShow(3, 100, at(0))).toBe(0);
    // Below the view: its bottom at the bottom edge.
    expect(scrollToShow(20, 100, at(0))).toBe(30 + 21 * 44 - 440);
    // Above the view: its top just under the header.
    expect(scrollToShow(2, 100, at(44 * 10))).toBe(2 * 44);
    // The ends.
    expect(scrollToShow(0, 100, at(5000))).toBe(0);
    expect(scrollToShow(99, 100, at(0))).toBe(30 + 100 * 44 - 440);
  });

  it('pages by a view less one row', () => {
    expect(pageRows(at(0))).toBe(Math.floor(410 / 44) - 1);
    expect(pageRows(at(0, 40))).toBe(1);
  });
});
