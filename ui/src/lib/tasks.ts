// What the task list shows of a task: pure functions over the core's TaskSummary, so the
// store and the component stay thin and the arithmetic is unit-tested.
import type { TaskKind } from '../bindings/TaskKind';
import type { TaskState } from '../bindings/TaskState';
import type { TaskStep } from '../bindings/TaskStep';
import type { TaskSummary } from '../bindings/TaskSummary';
import { formatBytes } from './format';
import type { MessageKey } from './i18n';

export const TASK_KIND_LABEL: Record<TaskKind, MessageKey> = {
  create_vm: 'task.kind.create_vm',
  clone_vm: 'task.kind.clone_vm',
  delete_vm: 'task.kind.delete_vm',
  upload_volume: 'task.kind.upload_volume',
  clone_volume: 'task.kind.clone_volume',
  revert_snapshot: 'task.kind.revert_snapshot',
};

export const TASK_STEP_LABEL: Record<TaskStep, MessageKey> = {
  checking: 'task.step.checking',
  creating_disk: 'task.step.creating_disk',
  copying_disk: 'task.step.copying_disk',
  building_seed: 'task.step.building_seed',
  defining_vm: 'task.step.defining_vm',
  starting_vm: 'task.step.starting_vm',
  uploading: 'task.step.uploading',
  verifying: 'task.step.verifying',
  deleting: 'task.step.deleting',
  cleaning_up: 'task.step.cleaning_up',
  reverting: 'task.step.reverting',
};

export const TASK_STATE_LABEL: Record<TaskState, MessageKey> = {
  running: 'task.state.running',
  succeeded: 'task.state.succeeded',
  failed: 'task.state.failed',
  cancelled: 'task.state.cancelled',
};

/**
 * The list with `task` in it: a newer summary of a task replaces its older one in place,
 * a new task goes first (the core lists newest first). An event older than what is shown
 * (an ended task that a late progress push would revive) is ignored.
 */
export function upsertTask(list: readonly TaskSummary[], task: TaskSummary): TaskSummary[] {
  const i = list.findIndex((t) => t.id === task.id);
  if (i === -1) return [task, ...list];
  const old = list[i];
  if (old.state !== 'running' && task.state === 'running') return list as TaskSummary[];
  const next = list.slice();
  next[i] = task;
  return next;
}

/** 0..1 done, or null while the total is unknown (an indeterminate bar). */
export function taskFraction(task: TaskSummary): number | null {
  if (task.state === 'succeeded') return 1;
  if (task.total === null || task.total <= 0) return null;
  return Math.min(1, Math.max(0, task.done / task.total));
}

/** "1.5 GiB / 3 GiB" for bytes, "2 / 5" for steps; null without a total. */
export function taskAmount(task: TaskSummary): string | null {
  if (task.total === null) return task.unit === 'bytes' && task.done > 0 ? formatBytes(task.done) : null;
  return task.unit === 'bytes' ? `${formatBytes(task.done)} / ${formatBytes(task.total)}` : `${task.done} / ${task.total}`;
}

/** "12 MiB/s" while a byte task moves; null otherwise. */
export function taskSpeed(task: TaskSummary): string | null {
  if (task.state !== 'running' || task.unit !== 'bytes' || task.bytes_per_sec === null) return null;
  return `${formatBytes(task.bytes_per_sec)}/s`;
}
