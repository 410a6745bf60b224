import { useEffect, useId, useState } from 'react';
import { type HandlerInfo, JOB_STATES, type JobState } from '../../api/types.js';
import { EMPTY_FILTER, isEmptyFilter, type JobFilter } from '../../lib/filters.js';

/** Filters, search and sort of the jobs list; every change goes to `onChange`. */
export function FilterBar({
  filter,
  queues,
  handlers,
  onChange,
}: {
  readonly filter: JobFilter;
  readonly queues: readonly string[];
  readonly handlers: readonly HandlerInfo[];
  readonly onChange: (filter: JobFilter, options?: { replace?: boolean }) => void;
}) {
  const id = useId();
  const [text, setText] = useState(filter.text ?? '');
  useEffect(() => setText(filter.text ?? ''), [filter.text]);

  // Search as one types, once typing pauses.
  useEffect(() => {
    const wanted = text.trim() === '' ? null : text.trim();
    if (wanted === filter.text) return;
    const timer = setTimeout(() => onChange({ ...filter, text: wanted }, { replace: true }), 400);
    return () => clearTimeout(timer);
  }, [text, filter, onChange]);

  const stateValue = filter.state.join(',');
  const methods = handlers.find((h) => h.name === filter.handler)?.methods ?? [];
  const queueOptions =
    filter.queue === null || queues.includes(filter.queue) ? queues : [filter.queue, ...queues];

  return (
    <search>
      <form
        className="filter-bar"
        aria-label="Filter jobs"
        onSubmit={(event) => {
          event.preventDefault();
          onChange({ ...filter, text: text.trim() === '' ? null : text.trim() });
        }}
      >
        <div className="field">
          <label htmlFor={`${id}-state`}>State</label>
          <select
            id={`${id}-state`}
            value={stateValue}
            onChange={(e) => {
              const value = e.target.value;
              onChange({ ...filter, state: value === '' ? [] : (value.split(',') as JobState[]) });
            }}
          >
            <option value="">All states</option>
            {filter.state.length > 1 ? (
              <option value={stateValue}>{filter.state.join(' or ')}</option>
            ) : null}
            {JOB_STATES.map((state) => (
              <option key={state} value={state}>
                {state}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-queue`}>Queue</label>
          <select
            id={`${id}-queue`}
            value={filter.queue ?? ''}
            onChange={(e) =>
              onChange({ ...filter, queue: e.target.value === '' ? null : e.target.value })
            }
          >
            <option value="">All queues</option>
            {queueOptions.map((queue) => (
              <option key={queue} value={queue}>
                {queue}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-handler`}>Handler</label>
          <select
            id={`${id}-handler`}
            value={filter.handler ?? ''}
            onChange={(e) =>
              onChange({
                ...filter,
                handler: e.target.value === '' ? null : e.target.value,
                method: null,
              })
            }
          >
            <option value="">All handlers</option>
            {filter.handler !== null && !handlers.some((h) => h.name === filter.handler) ? (
              <option value={filter.handler}>{filter.handler}</option>
            ) : null}
            {handlers.map((h) => (
              <option key={h.name} value={h.name}>
                {h.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-method`}>Method</label>
          <select
            id={`${id}-method`}
            value={filter.method ?? ''}
            disabled={filter.handler === null && filter.method === null}
            onChange={(e) =>
              onChange({ ...filter, method: e.target.value === '' ? null : e.target.value })
            }
          >
            <option value="">All methods</option>
            {filter.method !== null && !methods.some((m) => m.name === filter.method) ? (
              <option value={filter.method}>{filter.method}</option>
            ) : null}
            {methods.map((m) => (
              <option key={m.name} value={m.name}>
                {m.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field field-grow">
          <label htmlFor={`${id}-text`}>Search params and errors</label>
          <input
            id={`${id}-text`}
            type="search"
            value={text}
            placeholder="e.g. someone@example.com or timeout"
            maxLength={200}
            onChange={(e) => setText(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-sort`}>Sort</label>
          <select
            id={`${id}-sort`}
            value={filter.sort}
            onChange={(e) =>
              onChange({ ...filter, sort: e.target.value === 'oldest' ? 'oldest' : 'newest' })
            }
          >
            <option value="newest">Newest first</option>
            <option value="oldest">Oldest first</option>
          </select>
        </div>
        <div className="field field-buttons">
          <button type="submit" className="visually-hidden" tabIndex={-1}>
            Search
          </button>
          <button
            type="button"
            disabled={isEmptyFilter(filter) && filter.sort === 'newest'}
            onClick={() => {
              setText('');
              onChange(EMPTY_FILTER);
            }}
          >
            Clear filters
          </button>
        </div>
      </form>
    </search>
  );
}
