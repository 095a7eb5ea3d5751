// The VM detail page's state: the VM's configuration as the core reads it, and the changes
// made to it. Each change says when it takes effect (now, or from the next boot and why),
// shown beside the part of the page it was made in; a refusal is kept there the same way.
import type { ChangeOutcome } from '../bindings/ChangeOutcome';
import type { ErrorPayload } from '../bindings/ErrorPayload';
import type { VmChange } from '../bindings/VmChange';
import type { VmDetail } from '../bindings/VmDetail';
import type { Api } from './api';
import { toErrorPayload } from './errors';

/** The part of the page a change was made in: where its outcome is shown. */
export type DetailArea = 'config' | 'disks' | 'nics' | 'password';

/** What became of the last change made in an area. */
export type AreaResult = { outcome: ChangeOutcome; error: null } | { outcome: null; error: ErrorPayload };

export class VmDetailState {
  detail = $state<VmDetail | null>(null);
  loadError = $state<ErrorPayload | null>(null);
  /** The area whose change is being made (one at a time: the page's buttons wait). */
  busy = $state<DetailArea | null>(null);
  results = $state<Partial<Record<DetailArea, AreaResult>>>({});

  readonly #api: Api;
  readonly hostId: string;
  readonly uuid: string;
  #load = 0;

  constructor(api: Api, hostId: string, uuid: string) {
    this.#api = api;
    this.hostId = hostId;
    this.uuid = uuid;
  }

  /** Reads the configuration afresh (after a change, or a lifecycle event of the VM). */
  async load(): Promise<void> {
    const load = ++this.#load;
    try {
      const detail = await this.#api.vmDetail(this.hostId, this.uuid);
      if (load !== this.#load) return;
      this.detail = detail;
      this.loadError = null;
    } catch (e) {
      if (load === this.#load) this.loadError = toErrorPayload(e);
    }
  }

  /** Makes one change; true when the core made it. The page is re-read either way. */
  async change(area: DetailArea, change: VmChange): Promise<boolean> {
    return this.#run(area, () => this.#api.changeVm(this.hostId, this.uuid, change));
  }

  /** Sets a guest user's password (kept nowhere: it goes to the guest agent). */
  async setPassword(user: string, password: string): Promise<boolean> {
    return this.#run('password', async () => {
      await this.#api.setGuestPassword(this.hostId, this.uuid, user, password);
      return { applied: 'now', reason: null };
    });
  }

  async #run(area: DetailArea, call: () => Promise<ChangeOutcome>): Promise<boolean> {
    this.busy = area;
    try {
      const outcome = await call();
      this.results[area] = { outcome, error: null };
      return true;
    } catch (e) {
      this.results[area] = { outcome: null, error: toErrorPayload(e) };
      return false;
    } finally {
      this.busy = null;
      if (area !== 'password') await this.load();
    }
  }
}
