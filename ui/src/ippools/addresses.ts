// IP addresses as BigInt, both families, for the fake backend and the usage figures: the
// real allocator is the core's (vireo-net); this only has to agree with it on what a
// range holds.

export type Family = 4 | 6;
export type Span = { family: Family; start: bigint; end: bigint };

function v4(text: string): bigint | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) return null;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return null;
  return parts.reduce((a, p) => a * 256n + BigInt(p), 0n);
}

function v6(text: string): bigint | null {
  if (!/^[0-9a-fA-F:]+$/.test(text) || text.split('::').length > 2) return null;
  const [head, tail] = text.includes('::') ? text.split('::') : [text, null];
  const groups = (s: string) => (s === '' ? [] : s.split(':'));
  const h = groups(head);
  const t = tail === null ? [] : groups(tail);
  const missing = 8 - h.length - t.length;
  if (tail === null ? missing !== 0 : missing < 1) return null;
  const all = [...h, ...Array(tail === null ? 0 : missing).fill('0'), ...t];
  if (all.some((g) => g.length === 0 || g.length > 4)) return null;
  return all.reduce((a, g) => a * 65536n + BigInt(parseInt(g, 16)), 0n);
}

export function parseIp(text: string): { family: Family; value: bigint } | null {
  const t = text.trim();
  const a = v4(t);
  if (a !== null) return { family: 4, value: a };
  const b = v6(t);
  return b === null ? null : { family: 6, value: b };
}

export function formatIp(family: Family, value: bigint): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 255n)).join('.');
  const groups = [112n, 96n, 80n, 64n, 48n, 32n, 16n, 0n].map((s) => ((value >> s) & 0xffffn).toString(16));
  // The longest run of zero groups becomes `::`, as the core prints it.
  let best = [-1, 0];
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > best[1] && j - i > 1) best = [i, j - i];
    i = j;
  }
  if (best[0] < 0) return groups.join(':');
  return `${groups.slice(0, best[0]).join(':')}::${groups.slice(best[0] + best[1]).join(':')}`;
}

/** A range as the core reads it: a subnet's usable hosts, `a-b`, or one address; null if invalid. */
export function parseSpan(text: string): Span | null {
  const t = text.trim();
  if (t.includes('/')) {
    const [addr, len] = t.split('/');
    const ip = parseIp(addr);
    if (!ip || !/^\d+$/.test(len)) return null;
    const bits = ip.family === 4 ? 32n : 128n;
    const prefix = BigInt(len);
    if (prefix > bits) return null;
    const size = 1n << (bits - prefix);
    if (ip.value % size !== 0n) return null;
    const last = ip.value + size - 1n;
    if (ip.family === 4) return prefix >= 31n ? { family: 4, start: ip.value, end: last } : { family: 4, start: ip.value + 1n, end: last - 1n };
    return prefix === 128n ? { family: 6, start: ip.value, end: last } : { family: 6, start: ip.value + 1n, end: last };
  }
  if (t.includes('-')) {
    const [a, b] = t.split('-').map(parseIp);
    if (!a || !b || a.family !== b.family || a.value > b.value) return null;
    return { family: a.family, start: a.value, end: b.value };
  }
  const one = parseIp(t);
  return one ? { family: one.family, start: one.value, end: one.value } : null;
}

/** How full a pool is, 0 to 1, from its decimal counts. */
export function usage(size: string, taken: number): number {
  const total = BigInt(size);
  if (total === 0n) return 0;
  // Scaled by 10^6 in BigInt: an IPv6 pool's size is far beyond a double's integers.
  return Number((BigInt(taken) * 1_000_000n) / total) / 1_000_000;
}
