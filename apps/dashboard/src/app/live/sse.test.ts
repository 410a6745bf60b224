import { describe, expect, it } from 'vitest';
import { createSseParser, type SseEvent } from './sse.js';

function parse(chunks: readonly string[]): SseEvent[] {
  const events: SseEvent[] = [];
  const feed = createSseParser((e) => events.push(e));
  for (const chunk of chunks) feed(chunk);
  return events;
}

describe('createSseParser', () => {
  it('reads named events with ids, skipping heartbeats', () => {
    expect(
      parse([
        'event: ready\ndata: {}\n\n: heartbeat\n\nid: 1\nevent: created\ndata: {"ids":["1"]}\n\n',
      ]),
    ).toEqual([
      { event: 'ready', data: '{}' },
      { event: 'created', data: '{"ids":["1"]}', id: '1' },
    ]);
  });

  it('puts events back together across chunk boundaries and line-end styles', () => {
    expect(
      parse([
        'eve',
        'nt: started\r',
        '\ndata: {"a"',
        ':1}\r\n\r',
        '\n',
        'data: x\rdata: y\r\r',
        ': heartbeat\n',
      ]),
    ).toEqual([
      { event: 'started', data: '{"a":1}' },
      { event: 'message', data: 'x\ny' },
    ]);
  });

  it('waits for the blank line before telling an event', () => {
    expect(parse(['event: completed\ndata: {}\n'])).toEqual([]);
  });
});
