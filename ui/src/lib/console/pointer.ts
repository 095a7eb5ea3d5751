// Mouse input for RFB: the button mask (bit 0 left, 1 middle, 2 right, 3 wheel up,
// 4 wheel down) and the framebuffer position under the pointer, whatever the scaling.

/** DOM `MouseEvent.buttons` (1 left, 2 right, 4 middle) as an RFB button mask. */
export function buttonMask(domButtons: number): number {
  return (domButtons & 1) | ((domButtons & 4) >> 1) | ((domButtons & 2) << 1);
}

/** The wheel's bit for a wheel event's direction; 0 for a sideways-only turn. */
export function wheelBit(deltaY: number): number {
  if (deltaY < 0) return 1 << 3;
  if (deltaY > 0) return 1 << 4;
  return 0;
}

/**
 * The framebuffer pixel under a client position on a canvas drawn at `box` (its
 * bounding rectangle), clamped to the screen.
 */
export function toFramebuffer(
  clientX: number,
  clientY: number,
  box: { left: number; top: number; width: number; height: number },
  fbWidth: number,
  fbHeight: number,
): { x: number; y: number } {
  const clamp = (v: number, max: number) => Math.min(Math.max(Math.floor(v), 0), Math.max(max - 1, 0));
  const sx = box.width > 0 ? fbWidth / box.width : 1;
  const sy = box.height > 0 ? fbHeight / box.height : 1;
  return { x: clamp((clientX - box.left) * sx, fbWidth), y: clamp((clientY - box.top) * sy, fbHeight) };
}
