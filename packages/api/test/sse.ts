/** One server-sent event, or a comment line (heartbeat) when `comment` is set. */
export interface SseFrame {
  readonly event?: string;
  readonly data?: string;
  readonly id?: string;
  readonly comment?: string;
}

/** Reads server-sent events from a response body; `next` waits for the next frame. */
export function sseReader(body: ReadableStream<Uint8Array>) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const frames: SseFrame[] = [];

  function parse(block: string): SseFrame {
    const frame: Record<string, string> = {};
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) frame.comment = line.slice(1).trim();
      const match = /^(event|data|id): ?(.*)$/.exec(line);
      if (match?.[1] !== undefined) frame[match[1]] = match[2] ?? '';
    }
    return frame;
  }

  async function next(timeoutMs = 5_000): Promise<SseFrame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const end = buffer.indexOf('\n\n');
      if (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const frame = parse(block);
        frames.push(frame);
        return frame;
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('no event in time');
      let timer: ReturnType<typeof setTimeout> | undefined;
      const chunk = await Promise.race([
        reader.read(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('no event in time')), left);
        }),
      ]).finally(() => clearTimeout(timer));
      if (chunk.done) throw new Error('the stream ended');
      buffer += decoder.decode(chunk.value, { stream: true });
    }
  }

  /** The next frame that is an event (skips heartbeats). */
  async function nextEvent(timeoutMs = 5_000): Promise<SseFrame> {
    for (;;) {
      const frame = await next(timeoutMs);
      if (frame.event !== undefined) return frame;
    }
  }

  return { next, nextEvent, frames, cancel: () => reader.cancel() };
}
