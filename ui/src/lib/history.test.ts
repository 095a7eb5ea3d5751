import { afterEach, describe, expect, it } from 'vitest';
import { formatHistoryTime, historyActionLabel, historyActorLabel, historyTarget, isoTime } from './history';
import { setLocale } from './i18n';

afterEach(() => setLocale('en'));

// Intl may separate "PM" with a narrow no-break space, depending on the ICU version.
const plain = (s: string) => s.replace(/\s/g, ' ');

describe('historyActionLabel', () => {
  it('reuses the VM action labels and names the host actions', () => {
    expect(historyActionLabel('destroy')).toBe('Force off');
    expect(historyActionLabel('add_host')).toBe('Add host');
    expect(historyActionLabel('set_accel')).toBe('Set acceleration');
    setLocale('zh');
    expect(historyActionLabel('remove_host')).toBe('移除主机');
    expect(historyActionLabel('start')).toBe('启动');
  });

  it('shows unknown actions raw, inherited object keys included', () => {
    expect(historyActionLabel('migrate')).toBe('migrate');
    expect(historyActionLabel('toString')).toBe('toString');
  });
});

describe('historyActorLabel', () => {
  it('names the app and the CLI, and keeps anything else', () => {
    expect(historyActorLabel('cli')).toBe('Command line');
    setLocale('zh');
    expect(historyActorLabel('app')).toBe('应用');
    expect(historyActorLabel('cron')).toBe('cron');
  });
});

describe('historyTarget', () => {
  it('labels the acceleration a set_accel recorded', () => {
    expect(historyTarget({ action: 'set_accel', target: 'kvm' })).toBe('KVM acceleration');
    expect(historyTarget({ action: 'set_accel', target: 'turbo' })).toBe('turbo');
  });

  it('keeps VM and host names as they are', () => {
    expect(historyTarget({ action: 'start', target: 'kvm' })).toBe('kvm');
    expect(historyTarget({ action: 'add_host', target: 'qemu+ssh://lab/system' })).toBe('qemu+ssh://lab/system');
  });
});

describe('formatHistoryTime', () => {
  const at = Date.UTC(2025, 2, 4, 13, 5, 9);

  it('formats date and time in the UI language', () => {
    expect(plain(formatHistoryTime(at, 'en', 'UTC'))).toBe('Mar 4, 2025, 1:05:09 PM');
    expect(formatHistoryTime(at, 'zh', 'UTC')).toBe('2025年3月4日 13:05:09');
  });

  it('uses the local time zone by default', () => {
    const local = new Date(at);
    expect(formatHistoryTime(at, 'zh')).toContain(`${local.getDate()}日`);
  });

  it('shows a dash for nonsense', () => {
    expect(formatHistoryTime(Number.NaN, 'en')).toBe('—');
  });
});

describe('isoTime', () => {
  it('gives the instant for <time datetime>', () => {
    expect(isoTime(0)).toBe('1970-01-01T00:00:00.000Z');
    expect(isoTime(Number.NaN)).toBeNull();
  });
});
