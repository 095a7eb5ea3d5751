import { describe, expect, it } from 'vitest';
import { barFraction, formatBytes, formatKiB, formatMemory, formatPercent, memoryFigures } from './format';
import { vm } from './testing';

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1024, '1 KiB'],
    [1536, '1.5 KiB'],
    [10 * 1024 * 1024, '10 MiB'],
    [123.45 * 1024 * 1024, '123 MiB'],
    [1.25 * 1024 ** 3, '1.3 GiB'],
    [2 * 1024 ** 4, '2 TiB'],
    [3 * 1024 ** 6, '3072 PiB'],
  ])('%d bytes → %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });

  it('shows a dash for nonsense', () => {
    expect(formatBytes(-1)).toBe('—');
    expect(formatBytes(Number.NaN)).toBe('—');
  });
});

describe('formatKiB', () => {
  it('converts from KiB', () => {
    expect(formatKiB(2 * 1024 * 1024)).toBe('2 GiB');
    expect(formatKiB(512 * 1024)).toBe('512 MiB');
  });
});

describe('formatPercent / barFraction', () => {
  it('shows a dash until there is a second sample', () => {
    expect(formatPercent(null)).toBe('—');
    expect(barFraction(null)).toBe(0);
  });

  it('keeps one decimal for small values only', () => {
    expect(formatPercent(0)).toBe('0.0%');
    expect(formatPercent(3.14159)).toBe('3.1%');
    expect(formatPercent(42.6)).toBe('43%');
  });

  it('clamps the bar', () => {
    expect(barFraction(50)).toBe(0.5);
    expect(barFraction(101)).toBe(1);
    expect(barFraction(-3)).toBe(0);
  });
});

describe('memory', () => {
  it('prefers resident memory over the balloon size', () => {
    const v = vm({ memory_kib: 2 * 1024 * 1024, max_memory_kib: 4 * 1024 * 1024, memory_rss_kib: 512 * 1024 });
    expect(memoryFigures(v, v)).toEqual({ usedKib: 512 * 1024, maxKib: 4 * 1024 * 1024 });
    expect(formatMemory(v, v)).toBe('512 MiB / 4 GiB');
  });

  it('falls back to the balloon size without a process', () => {
    const v = vm({ memory_kib: 1024 * 1024, max_memory_kib: 2 * 1024 * 1024, memory_rss_kib: null });
    expect(formatMemory(v, v)).toBe('1 GiB / 2 GiB');
  });

  it('shows unknown figures as such, with the maximum still known', () => {
    expect(memoryFigures(null, { max_memory_kib: 2 * 1024 * 1024 })).toEqual({ usedKib: null, maxKib: 2 * 1024 * 1024 });
    expect(formatMemory(null, { max_memory_kib: 2 * 1024 * 1024 })).toBe('— / 2 GiB');
  });
});
