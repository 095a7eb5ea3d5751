// A VM's snapshots as the page shows them: depth-first from each root, oldest first at each
// level, so every snapshot sits under the one it was taken on top of.
import type { SnapshotSummary } from '../bindings/SnapshotSummary';

export interface SnapshotRow {
  snap: SnapshotSummary;
  /** 0 for a root. */
  depth: number;
}

export function snapshotTree(snapshots: SnapshotSummary[]): SnapshotRow[] {
  const byName = new Map(snapshots.map((s) => [s.name, s]));
  const oldestFirst = (a: SnapshotSummary, b: SnapshotSummary) => a.created - b.created || a.name.localeCompare(b.name);
  const rows: SnapshotRow[] = [];
  const placed = new Set<string>();
  const walk = (snap: SnapshotSummary, depth: number) => {
    if (placed.has(snap.name)) return;
    placed.add(snap.name);
    rows.push({ snap, depth });
    const children = snapshots.filter((s) => s.parent === snap.name).sort(oldestFirst);
    for (const child of children) walk(child, depth + 1);
  };
  // A parent libvirt no longer lists makes its child a root rather than hiding it.
  for (const root of snapshots.filter((s) => s.parent === null || !byName.has(s.parent)).sort(oldestFirst)) walk(root, 0);
  for (const rest of snapshots) walk(rest, 0);
  return rows;
}

/** A name the core accepts that says when it was taken: `snap-20261204-0912`. */
export function suggestedSnapshotName(now: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `snap-${now.getFullYear()}${two(now.getMonth() + 1)}${two(now.getDate())}-${two(now.getHours())}${two(now.getMinutes())}`;
}
