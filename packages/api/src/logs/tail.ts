import { open } from 'node:fs/promises';
import { showLogText } from '@jobs/core';
import { LogUnavailableError } from '../errors.js';

/** The last lines of a file, and whether older lines were left out. */
export interface Tail {
  readonly lines: string[];
  /** True when the file holds more than was returned. */
  readonly truncated: boolean;
}

/** How much of the end of a file a tail reads at most, whatever the line count: 4 MiB. */
export const MAX_TAIL_BYTES = 4 * 1024 * 1024;

const CHUNK = 64 * 1024;

function codeOf(error: unknown): unknown {
  return typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
}

/**
 * The last `limit` lines of the file at `path`, reading backwards from its end in chunks and
 * never more than `maxBytes`, so a huge log costs no more than a small one. A missing file
 * has no lines. A partial first line (cut by `maxBytes`) is left out. Lines come back with any
 * control character escaped (`showLogText`), so a log written before the workers escaped
 * them, or by hand, cannot drive a terminal or a line reader.
 */
export async function tailFile(
  path: string,
  limit: number,
  maxBytes = MAX_TAIL_BYTES,
): Promise<Tail> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if (codeOf(error) === 'ENOENT' || codeOf(error) === 'ENOTDIR') {
      return { lines: [], truncated: false };
    }
    throw new LogUnavailableError(`cannot open the log file: ${String(codeOf(error) ?? error)}`, {
      cause: error,
    });
  }
  try {
    const { size } = await handle.stat();
    const chunks: Buffer[] = [];
    let position = size;
    let newlines = 0;
    // limit + 1 newlines guarantee `limit` whole lines (the last one may end the file).
    while (position > 0 && newlines <= limit && size - position < maxBytes) {
      const length = Math.min(CHUNK, position, maxBytes - (size - position));
      position -= length;
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await handle.read(buffer, 0, length, position);
      const chunk = buffer.subarray(0, bytesRead);
      for (const byte of chunk) if (byte === 0x0a) newlines += 1;
      chunks.unshift(chunk);
    }
    const lines = Buffer.concat(chunks).toString('utf8').split('\n');
    if (lines.at(-1) === '') lines.pop();
    const fromStart = position === 0;
    if (!fromStart) lines.shift();
    const kept = lines
      .slice(-limit)
      .map((line) => showLogText(line.endsWith('\r') ? line.slice(0, -1) : line));
    return { lines: kept, truncated: !fromStart || lines.length > limit };
  } catch (error) {
    throw new LogUnavailableError(`cannot read the log file: ${String(codeOf(error) ?? error)}`, {
      cause: error,
    });
  } finally {
    await handle.close();
  }
}
