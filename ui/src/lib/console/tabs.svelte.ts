// The consoles open in the window: several at once, on one host or several, one shown.
// A tab lives until it is closed; hiding it (showing the VMs or another console) keeps
// its connection, so coming back shows the screen at once.

export interface ConsoleTab {
  /** Unique per tab, for keyed lists and the DOM. */
  key: string;
  hostId: string;
  hostName: string;
  uuid: string;
  vmName: string;
  viewOnly: boolean;
}

export class ConsoleTabs {
  tabs = $state<ConsoleTab[]>([]);
  /** The tab shown; null shows the VM list (or history) instead. */
  active = $state<string | null>(null);
  #next = 1;

  /** Shows the VM's console, opening a tab for it unless one is open already. */
  open(t: Omit<ConsoleTab, 'key' | 'viewOnly'>, viewOnly = false): void {
    const open = this.tabs.find((x) => x.hostId === t.hostId && x.uuid === t.uuid);
    if (open) {
      this.active = open.key;
      return;
    }
    const key = `tab-${this.#next++}`;
    this.tabs = [...this.tabs, { ...t, key, viewOnly }];
    this.active = key;
  }

  close(key: string): void {
    const at = this.tabs.findIndex((x) => x.key === key);
    if (at < 0) return;
    this.tabs = this.tabs.filter((x) => x.key !== key);
    if (this.active === key) this.active = this.tabs[Math.min(at, this.tabs.length - 1)]?.key ?? null;
  }

  setViewOnly(key: string, viewOnly: boolean): void {
    this.tabs = this.tabs.map((x) => (x.key === key ? { ...x, viewOnly } : x));
  }

  show(key: string | null): void {
    this.active = key;
  }
}
