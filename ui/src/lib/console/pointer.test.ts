import { describe, expect, it } from 'vitest';
import { buttonMask, toFramebuffer, wheelBit } from './pointer';

describe('console pointer', () => {
  it('maps DOM buttons to the RFB mask', () => {
    expect(buttonMask(0)).toBe(0);
    expect(buttonMask(1)).toBe(1); // left
    expect(buttonMask(4)).toBe(2); // middle
    expect(buttonMask(2)).toBe(4); // right
    expect(buttonMask(7)).toBe(7);
  });

  it('gives the wheel its bits', () => {
    expect(wheelBit(-3)).toBe(8);
    expect(wheelBit(3)).toBe(16);
    expect(wheelBit(0)).toBe(0);
  });

  it('finds the framebuffer pixel on a scaled canvas, clamped', () => {
    const box = { left: 10, top: 20, width: 360, height: 200 };
    expect(toFramebuffer(10, 20, box, 720, 400)).toEqual({ x: 0, y: 0 });
    expect(toFramebuffer(190, 120, box, 720, 400)).toEqual({ x: 360, y: 200 });
    expect(toFramebuffer(9999, -5, box, 720, 400)).toEqual({ x: 719, y: 0 });
  });
});
