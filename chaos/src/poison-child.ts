// Runs in an isolated child process: each method takes its child down a different way.
export default {
  crash(): void {
    // Dies without answering, as a segfault or an OOM kill would.
    process.kill(process.pid, 'SIGKILL');
  },
  loop(): void {
    for (;;) {
      // Never yields; only a kill ends it.
    }
  },
};
