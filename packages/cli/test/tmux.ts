import { execFileSync } from 'node:child_process';

/** A command running in a detached tmux pane of its own server, read like a person would. */
export interface Terminal extends AsyncDisposable {
  /** Types text as it is (no key names). */
  type(text: string): void;
  /** Presses keys by tmux name: `Enter`, `Down`, `C-c`, `C-u`, `BSpace`. */
  press(...keys: string[]): void;
  /** The screen as text. */
  screen(): string;
  /** Waits until the screen matches `pattern`; returns the screen. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  close(): void;
}

/**
 * Runs `command` (a shell command line) in tmux, 120 columns by 40 lines, with `env` set in
 * the pane. The pane prints `EXIT:<code>` when the command ends.
 */
export function openTerminal(command: string, env: Record<string, string>): Terminal {
  const socket = `jobs-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const tmux = (...args: string[]) =>
    execFileSync('tmux', ['-L', socket, ...args], {
      encoding: 'utf8',
      env: { ...process.env, TERM: 'xterm-256color' },
    });
  const envArgs = Object.entries(env).flatMap(([key, value]) => ['-e', `${key}=${value}`]);
  tmux(
    'new-session',
    '-d',
    '-x',
    '120',
    '-y',
    '40',
    '-s',
    'main',
    ...envArgs,
    `sh -c '${command.replace(/'/g, "'\\''")}; echo EXIT:$?; sleep 600'`,
  );
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    try {
      tmux('kill-server');
    } catch {
      // Already gone.
    }
  };
  const screen = () => tmux('capture-pane', '-p', '-t', 'main');
  return {
    type: (text) => tmux('send-keys', '-t', 'main', '-l', text),
    press: (...keys) => tmux('send-keys', '-t', 'main', ...keys),
    screen,
    async waitFor(pattern, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const text = screen();
        if (pattern.test(text)) return text;
        if (Date.now() > deadline) {
          throw new Error(`the screen never matched ${pattern}:\n${text}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    close,
    [Symbol.asyncDispose]: async () => close(),
  };
}
