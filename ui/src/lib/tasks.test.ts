import { describe, expect, it } from 'vitest';
import type { TaskSummary } from '../bindings/TaskSummary';
import { taskAmount, taskFraction, taskSpeed, upsertTask } from './tasks';

function task(over: Partial<TaskSummary> = {}): TaskSummary {
  return {
    id: 't1', host_id: '1', kind: 'upload_volume', target: 'vireo-isos/a.iso', state: 'running', step: 'uploading', unit: 'bytes',
    done: 0, total: 4 << 20, bytes_per_sec: null, cancellable: true, started_ms: 1, ended_ms: null, result: null, error: null, ...over,
  };
}

describe('the task list', () => {
  it('puts a new task first and replaces a known one in place', () => {
    let list = upsertTask([], task({ id: 'a' }));
    list = upsertTask(list, task({ id: 'b' }));
    expect(list.map((t) => t.id)).toEqual(['b', 'a']);
    list = upsertTask(list, task({ id: 'a', done: 5 }));
    expect(list.map((t) => [t.id, t.done])).toEqual([['b', 0], ['a', 5]]);
  });

  it('never brings an ended task back to running (a late progress push)', () => {
    const ended = upsertTask([], task({ state: 'succeeded', done: 4 << 20 }));
    expect(upsertTask(ended, task({ done: 1 }))[0].state).toBe('succeeded');
  });
});

describe('a task shown', () => {
  it('counts bytes with their units and steps as numbers', () => {
    expect(taskAmount(task({ done: 1 << 20 }))).toBe('1 MiB / 4 MiB');
    expect(taskAmount(task({ unit: 'steps', done: 2, total: 5 }))).toBe('2 / 5');
    expect(taskAmount(task({ unit: 'steps', total: null }))).toBeNull();
  });

  it('fills its bar by what is done, unknown without a total, full once succeeded', () => {
    expect(taskFraction(task({ done: 1 << 20 }))).toBe(0.25);
    expect(taskFraction(task({ total: null }))).toBeNull();
    expect(taskFraction(task({ state: 'succeeded', total: null }))).toBe(1);
    expect(taskFraction(task({ done: 9 << 20 }))).toBe(1);
  });

  it('has a speed only while bytes move', () => {
    expect(taskSpeed(task({ bytes_per_sec: 12 << 20 }))).toBe('12 MiB/s');
    expect(taskSpeed(task({ bytes_per_sec: null }))).toBeNull();
    expect(taskSpeed(task({ bytes_per_sec: 5, state: 'failed' }))).toBeNull();
    expect(taskSpeed(task({ unit: 'steps', bytes_per_sec: 5 }))).toBeNull();
  });
});
