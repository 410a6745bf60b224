import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { isAlive } from './proc.js';

const spawned: number[] = [];
afterEach(() => {
  for (const pid of spawned.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

/** A process that stays, and the pid of its child that exited and that it never reaps. */
async function parentOfZombie(): Promise<{ parent: number; zombie: number }> {
  const child = spawn('sh', ['-c', 'sleep 0 & echo $!; exec sleep 30'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  if (child.pid === undefined) throw new Error('sh did not start');
  spawned.push(child.pid);
  const [chunk] = (await once(child.stdout, 'data')) as [Buffer];
  return { parent: child.pid, zombie: Number(chunk.toString().trim()) };
}

describe('isAlive', () => {
  it('is true for a running process and false for a pid that is gone', async () => {
    const { parent } = await parentOfZombie();
    expect(isAlive(process.pid)).toBe(true);
    expect(isAlive(parent)).toBe(true);
    process.kill(parent, 'SIGKILL');
    const deadline = Date.now() + 5_000;
    while (isAlive(parent) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(isAlive(parent)).toBe(false);
  });

  it('is false for a process that exited but was not reaped (a zombie answers kill(pid, 0))', async () => {
    const { zombie } = await parentOfZombie();
    const deadline = Date.now() + 5_000;
    while (isAlive(zombie) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(() => process.kill(zombie, 0)).not.toThrow();
    expect(isAlive(zombie)).toBe(false);
  });

  it('is false for pids that cannot name a process', () => {
    for (const pid of [0, -1, 1.5, Number.NaN]) expect(isAlive(pid)).toBe(false);
  });
});
