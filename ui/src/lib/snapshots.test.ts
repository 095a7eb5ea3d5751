import { describe, expect, it } from 'vitest';
import type { SnapshotSummary } from '../bindings/SnapshotSummary';
import { vmNameProblem } from './names';
import { snapshotTree, suggestedSnapshotName } from './snapshots';

const snap = (name: string, parent: string | null, created: number): SnapshotSummary => ({
  name, parent, children: [], description: null, created, state: 'shut_off', current: false, external: false,
});

describe('snapshotTree', () => {
  it('puts each snapshot under its parent, oldest first at each level', () => {
    const rows = snapshotTree([snap('b2', 'a', 5), snap('a', null, 1), snap('b1', 'a', 3), snap('c', 'b1', 4), snap('z', null, 2)]);
    expect(rows.map((r) => `${r.depth}:${r.snap.name}`)).toEqual(['0:a', '1:b1', '2:c', '1:b2', '0:z']);
  });

  it('shows a snapshot whose parent is not listed as a root, and loops only once', () => {
    expect(snapshotTree([snap('x', 'gone', 1)]).map((r) => r.depth)).toEqual([0]);
    const loop = snapshotTree([snap('p', 'q', 1), snap('q', 'p', 2)]);
    expect(loop.map((r) => r.snap.name).sort()).toEqual(['p', 'q']);
  });
});

describe('suggestedSnapshotName', () => {
  it('says when, and the core would take it', () => {
    const name = suggestedSnapshotName(new Date(2026, 11, 4, 9, 5));
    expect(name).toBe('snap-20261204-0905');
    expect(vmNameProblem(name)).toBeNull();
  });
});
