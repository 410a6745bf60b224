import { formatDuration } from './format.js';

/** A retention as people read it: `forever`, `deleted at once`, or a duration (`1 d`). */
export function formatRetention(ms: number | null): string {
  if (ms === null) return 'forever';
  if (ms === 0) return 'deleted at once';
  return formatDuration(ms);
}

/** Bytes as `812 KiB`, `38.2 MiB`, `1.4 GiB`. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '';
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value >= 100 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}

/** A share from 0 to 1 as `4.2 %`. */
export function formatShare(share: number): string {
  if (!Number.isFinite(share)) return '';
  return `${(share * 100).toFixed(1)} %`;
}
