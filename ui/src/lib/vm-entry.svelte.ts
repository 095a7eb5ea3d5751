// One VM of the selected host as the UI keeps it: a few reactive cells, so a pushed change
// to one VM re-renders that VM's row and nothing else. The session owns the entries (one per
// UUID, kept across re-lists); rows read them.
import type { VmState } from '../bindings/VmState';
import type { VmStats } from '../bindings/VmStats';
import type { VmSummary } from '../bindings/VmSummary';
import { isActive } from './actions';
import { sameFigures, sameSpec, specOf, withoutLiveFigures, type VmFigures, type VmSpec } from './vms';

export class VmEntry {
  readonly uuid: string;
  name = $state.raw('');
  state = $state.raw<VmState>('no_state');
  spec = $state.raw<VmSpec>({ vcpus: 0, max_memory_kib: 0 });
  /**
   * The newest figures, or null when the VM runs but the last push had none for it (shown
   * as unknown until the next one).
   */
  figures = $state.raw<VmFigures | null>(null);
  /** The number of the last push that had figures for this VM (plain: only the session reads it). */
  pushSeq = 0;

  constructor(vm: VmSummary) {
    this.uuid = vm.uuid;
    this.update(vm);
  }

  /** Takes a listed row, writing only the cells that changed (unchanged ones notify nobody). */
  update(vm: VmSummary): void {
    this.name = vm.name;
    this.state = vm.state;
    const spec = specOf(vm);
    if (!sameSpec(spec, this.spec)) this.spec = spec;
    // The listed row itself holds the figures (no copy per VM per list).
    this.setFigures(vm);
  }

  /** A lifecycle event with a state: the new state (and name), live figures dropped on a stop. */
  setState(state: VmState, name: string): void {
    this.name = name;
    this.state = state;
    if (!isActive(state)) this.setFigures(withoutLiveFigures(this.figures));
  }

  /**
   * Pushed figures (the pushed object itself is kept: nothing is copied per VM per push);
   * ignored for a VM the UI knows as stopped (a sample taken before it stopped).
   */
  setStats(stats: VmStats): void {
    if (isActive(this.state)) this.setFigures(stats);
  }

  /** The VM runs but the push left it out: its figures are unknown now. */
  clearFigures(): void {
    if (isActive(this.state)) this.setFigures(null);
  }

  setFigures(figures: VmFigures | null): void {
    if (!sameFigures(figures, this.figures)) this.figures = figures;
  }

  /** A plain copy (for tests and logs; reading it in a template subscribes to every cell). */
  snapshot(): { uuid: string; name: string; state: VmState; spec: VmSpec; figures: VmFigures | null } {
    return { uuid: this.uuid, name: this.name, state: this.state, spec: this.spec, figures: this.figures };
  }
}
