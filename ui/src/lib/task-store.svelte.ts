// The window's tasks (uploads, VM creation and deletion, ...): listed once, then kept
// current by the core's `task` events. It lives in the session, so switching views keeps it.
import type { ErrorPayload } from '../bindings/ErrorPayload';
import type { TaskSummary } from '../bindings/TaskSummary';
import type { Api } from './api';
import { toErrorPayload } from './errors';
import { upsertTask } from './tasks';

export class TaskStore {
  /** Newest first. */
  list = $state<TaskSummary[]>([]);
  /** Tasks the user cleared from the list (ended ones only). */
  #hidden = $state<string[]>([]);
  /** Bumped whenever a task ends: pages showing what a task changes re-read then. */
  ended = $state(0);
  /** The last cancel refused, by task id. */
  cancelError = $state<{ id: string; error: ErrorPayload } | null>(null);
  /** What the task list shows. */
  shown = $derived(this.list.filter((t) => !this.#hidden.includes(t.id)));
  running = $derived(this.list.filter((t) => t.state === 'running').length);

  #api: Api;

  constructor(api: Api) {
    this.#api = api;
  }

  /** Lists the tasks the core has (events that came first win over older summaries). */
  async load(): Promise<void> {
    try {
      const listed = await this.#api.listTasks();
      let list = this.list;
      // Listed ones the events have not brought yet, oldest first so the newest ends up first.
      for (const task of [...listed].reverse()) if (!list.some((t) => t.id === task.id)) list = upsertTask(list, task);
      this.list = list;
    } catch {
      // Tasks still arrive as events; the list only misses older ones.
    }
  }

  /** A `task` event. */
  apply(task: TaskSummary): void {
    const before = this.list.find((t) => t.id === task.id);
    this.list = upsertTask(this.list, task);
    if (task.state !== 'running' && before?.state !== task.state) this.ended++;
  }

  /** The newest summary of the task with this id. */
  get(id: string): TaskSummary | undefined {
    return this.list.find((t) => t.id === id);
  }

  async cancel(id: string): Promise<void> {
    this.cancelError = null;
    try {
      await this.#api.cancelTask(id);
    } catch (e) {
      this.cancelError = { id, error: toErrorPayload(e) };
    }
  }

  /** Clears ended tasks from the list. */
  clearEnded(): void {
    this.#hidden = [...this.#hidden, ...this.list.filter((t) => t.state !== 'running').map((t) => t.id)];
  }
}
