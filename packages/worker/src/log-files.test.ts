import { WriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openAppendLog, resolveLogPath } from './log-files.js';

describe('log files', () => {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'jobs-log-files-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('takes the option, then the environment, then the default; a directory gets the file name', () => {
    const resolve = (option: string | null | undefined, env: string | undefined) =>
      resolveLogPath(option, env, 'logs/default.log', 'name.log', dir);
    expect(resolve(undefined, undefined)).toBe(join(dir, 'logs', 'default.log'));
    expect(resolve(undefined, 'from-env.log')).toBe(join(dir, 'from-env.log'));
    expect(resolve('opt.log', 'from-env.log')).toBe(join(dir, 'opt.log'));
    expect(resolve(dir, undefined)).toBe(join(dir, 'name.log'));
    expect(resolve(null, 'from-env.log')).toBeNull();
  });

  it('appends whole lines from several writers without mixing them, creating directories', async () => {
    const path = join(dir, 'nested', 'shared.log');
    const writers = [openAppendLog(path, () => {}), openAppendLog(path, () => {})];
    for (let i = 0; i < 500; i++) {
      writers[i % 2]?.append(`${i % 2 === 0 ? 'a' : 'b'}:${i}:${'x'.repeat(200)}\n`);
    }
    await Promise.all(writers.map((w) => w.close()));
    const lines = (await readFile(path, 'utf8')).trimEnd().split('\n');
    expect(lines).toHaveLength(500);
    for (const line of lines) expect(line).toMatch(/^[ab]:\d+:x{200}$/);
  });

  it('writes the entries of one turn together, without waiting for close', async () => {
    const path = join(dir, 'turns.log');
    const write = vi.spyOn(WriteStream.prototype, 'write');
    try {
      const log = openAppendLog(path, () => {});
      for (let i = 0; i < 100; i++) log.append(`line ${i}\n`);
      await new Promise((r) => setTimeout(r, 50));
      expect(write).toHaveBeenCalledTimes(1);
      expect((await readFile(path, 'utf8')).split('\n')).toHaveLength(101);
      log.append('after\n');
      await log.close();
      expect(write).toHaveBeenCalledTimes(2);
      expect(await readFile(path, 'utf8')).toMatch(/line 99\nafter\n$/);
    } finally {
      write.mockRestore();
    }
  });

  it('reports a file it cannot open and carries on', async () => {
    const errors: unknown[] = [];
    const log = openAppendLog(join(dir, 'file', 'x.log'), (e) => errors.push(e));
    const blocker = openAppendLog(join(dir, 'file'), () => {});
    blocker.append('a file where a directory should be\n');
    await blocker.close();
    log.append('lost\n');
    await new Promise((r) => setTimeout(r, 50));
    await log.close();
    expect(errors.length).toBeGreaterThan(0);
  });
});
