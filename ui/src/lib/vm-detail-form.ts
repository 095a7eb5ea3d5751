// What the detail page's fields take before anything is sent: tags by the core's name rule
// (Rust: `validate::tag`), boot devices as an ordered list of choices.
import type { BootDevice } from '../bindings/BootDevice';
import { vmNameProblem } from './names';

/** Tags as typed: comma-separated, surrounding spaces dropped, empty ones and repeats ignored. */
export function parseTags(text: string): string[] {
  const tags = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  return [...new Set(tags)];
}

/** The first tag the core would refuse (the name rule, at most 32 characters), or null. */
export function tagProblem(text: string): string | null {
  return parseTags(text).find((tag) => vmNameProblem(tag) !== null || [...tag].length > 32) ?? null;
}

const ALL_BOOT: readonly BootDevice[] = ['hd', 'cdrom', 'network'];

/** Every boot device in order: the VM's own first (ticked), then the rest (not). */
export function bootChoices(order: readonly BootDevice[]): { dev: BootDevice; on: boolean }[] {
  return [...order.map((dev) => ({ dev, on: true })), ...ALL_BOOT.filter((d) => !order.includes(d)).map((dev) => ({ dev, on: false }))];
}

/** A size typed in GiB as bytes, or null when it is not a number above zero. */
export function gibToBytes(text: string): number | null {
  const t = text.trim();
  if (!/^\d+(\.\d+)?$/.test(t)) return null;
  const bytes = Math.round(Number(t) * 2 ** 30);
  return bytes > 0 ? bytes : null;
}
