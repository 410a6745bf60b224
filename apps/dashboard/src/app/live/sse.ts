/** A parser of the server-sent events wire format, fed with text chunks as they arrive. */

/** One event: its name (`message` when unnamed), data and id. */
export interface SseEvent {
  readonly event: string;
  readonly data: string;
  readonly id?: string;
}

/**
 * Returns a function to feed chunks to; it calls `onEvent` for each complete event. Comment
 * lines (heartbeats) are skipped; CRLF, CR and LF line ends are all accepted; `data` lines
 * of one event are joined with newlines, as the spec says.
 */
export function createSseParser(onEvent: (event: SseEvent) => void): (chunk: string) => void {
  let buffer = '';
  let event = '';
  let data: string[] = [];
  let id: string | undefined;

  const dispatch = () => {
    if (data.length > 0 || event !== '') {
      onEvent({
        event: event || 'message',
        data: data.join('\n'),
        ...(id === undefined ? {} : { id }),
      });
    }
    event = '';
    data = [];
    id = undefined;
  };

  const line = (text: string) => {
    if (text === '') return dispatch();
    if (text.startsWith(':')) return;
    const colon = text.indexOf(':');
    const field = colon < 0 ? text : text.slice(0, colon);
    let value = colon < 0 ? '' : text.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
    else if (field === 'id') id = value;
  };

  return (chunk) => {
    buffer += chunk;
    for (;;) {
      const match = /\r\n|\r|\n/.exec(buffer);
      if (match === null) return;
      // A lone CR at the end may be the first half of a CRLF: wait for more.
      if (match[0] === '\r' && match.index === buffer.length - 1) return;
      line(buffer.slice(0, match.index));
      buffer = buffer.slice(match.index + match[0].length);
    }
  };
}
