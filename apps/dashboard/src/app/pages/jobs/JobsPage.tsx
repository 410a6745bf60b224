import { useCallback, useState } from 'react';
import { countMatching, type MatchCount, runBulkAction } from '../../api/bulk.js';
import { read } from '../../api/client.js';
import { describeError } from '../../api/errors.js';
import { useSession } from '../../api/session.js';
import type { JobAction } from '../../api/types.js';
import { Notice } from '../../components/Notice.js';
import { ErrorState, Loading, StaleBanner } from '../../components/States.js';
import { useNow } from '../../hooks/useNow.js';
import { useQuery } from '../../hooks/useQuery.js';
import { filterToQuery, filterToSearch, type JobFilter, parseFilter } from '../../lib/filters.js';
import { formatCount, plural } from '../../lib/format.js';
import { Link, navigate, useLocation } from '../../router.js';
import { countText, type PendingAction, VERBS } from './actions.js';
import { BulkBar } from './BulkBar.js';
import { BulkConfirm } from './BulkConfirm.js';
import { FilterBar } from './FilterBar.js';
import { JobsEmpty } from './JobsEmpty.js';
import { JobsTable } from './JobsTable.js';
import { Pager } from './Pager.js';
import { useSelection } from './useSelection.js';
import './jobs.css';

/** Rows per page. */
export const PAGE_SIZE = 50;

/** The jobs list: filters, search, sort, cursor pages, selection and bulk actions. */
export function JobsPage() {
  const { client } = useSession();
  const { search, state: historyState } = useLocation();
  const filter = parseFilter(search);
  const filterKey = filterToSearch(filter);

  // Cursor pages: the cursors of the pages before this one, reset when the filter changes.
  const [paging, setPaging] = useState<{ key: string; cursors: (string | null)[] }>({
    key: filterKey,
    cursors: [null],
  });
  const cursors = paging.key === filterKey ? paging.cursors : [null];
  const cursor = cursors.at(-1) ?? null;
  const pageKey = `${filterKey}|${cursor ?? ''}`;

  const [matching, setMatching] = useState<{ key: string; count: MatchCount | null } | null>(null);
  const [pending, setPending] = useState<PendingAction | null>(null);
  const [running, setRunning] = useState(false);
  const [notice, setNotice] = useState<{ text: string; tone: 'ok' | 'error' } | null>(() =>
    typeof historyState === 'object' && historyState !== null && 'notice' in historyState
      ? { text: String((historyState as { notice: unknown }).notice), tone: 'ok' }
      : null,
  );

  const list = useQuery(
    (signal) =>
      read(
        client.api.jobs.$get(
          {
            query: {
              ...filterToQuery(filter),
              limit: String(PAGE_SIZE),
              ...(cursor === null ? {} : { cursor }),
            },
          },
          { init: { signal } },
        ),
      ),
    [client, filterKey, cursor],
    { live: () => true, gapMs: 1000 },
  );
  const queues = useQuery(
    (signal) => read(client.api.queues.$get({}, { init: { signal } })),
    [client],
  );
  const handlers = useQuery(
    (signal) => read(client.api.handlers.$get({}, { init: { signal } })),
    [client],
  );

  const jobs = list.data?.jobs ?? [];
  const morePages = list.data?.nextCursor != null || cursors.length > 1;
  const anyRunning = jobs.some((j) => j.state === 'running');
  const now = useNow(1000, anyRunning);

  const selection = useSelection(pageKey, filterKey, list.data?.jobs);
  const { selected, ids } = selection;

  const setFilter = useCallback((next: JobFilter, options: { replace?: boolean } = {}) => {
    const query = filterToSearch(next);
    navigate(query === '' ? '/jobs' : `/jobs?${query}`, options);
  }, []);

  const count = async (key: string): Promise<MatchCount> => {
    const result = await countMatching(client, filter);
    setMatching((m) => (m?.key === key ? { key, count: result } : m));
    return result;
  };

  const selectAllMatching = () => {
    selection.selectAllMatching();
    setMatching({ key: filterKey, count: null });
    count(filterKey).catch(() => setMatching({ key: filterKey, count: null }));
  };

  const openAction = (action: JobAction) => {
    if (selected.kind === 'ids') {
      setPending({
        action,
        target: { kind: 'ids', ids: [...ids] },
        count: { count: ids.size, atLeast: false },
      });
      return;
    }
    const known = matching?.key === filterKey ? matching.count : null;
    setPending({ action, target: { kind: 'filter', filter }, count: known });
    if (known === null) {
      countMatching(client, filter).then(
        (result) =>
          setPending((p) => (p === null || p.action !== action ? p : { ...p, count: result })),
        (error: unknown) =>
          setPending((p) => (p === null ? p : { ...p, countError: describeError(error) })),
      );
    }
  };

  const confirm = async () => {
    if (pending === null) return;
    const { action, target } = pending;
    setRunning(true);
    try {
      const result = await runBulkAction(client, action, target);
      const { done } = VERBS[action];
      const skipped = result.matched - result.changed;
      setNotice({
        text:
          `${done} ${plural(result.changed, 'job')}` +
          (skipped > 0
            ? ` (${formatCount(skipped)} left as they were: their state does not allow it).`
            : '.'),
        tone: 'ok',
      });
      selection.clear();
      list.reload();
    } catch (error) {
      setNotice({ text: `${VERBS[action].verb} failed: ${describeError(error)}`, tone: 'error' });
    } finally {
      setRunning(false);
      setPending(null);
    }
  };

  const matchingLabel =
    matching?.key === filterKey && matching.count !== null ? countText(matching.count) : 'jobs';
  const pageNumber = cursors.length;

  return (
    <>
      <div className="page-head">
        <h1 tabIndex={-1}>Jobs</h1>
        <Link to="/jobs/new" className="button primary">
          New job
        </Link>
      </div>
      <FilterBar
        filter={filter}
        queues={queues.data?.queues.map((q) => q.name) ?? []}
        handlers={handlers.data?.handlers ?? []}
        onChange={setFilter}
      />
      <Notice
        message={notice?.text ?? null}
        tone={notice?.tone ?? 'ok'}
        onDismiss={() => setNotice(null)}
      />
      {list.error !== undefined && list.data !== undefined ? (
        <StaleBanner error={list.error} onRetry={list.reload} />
      ) : null}
      {list.data === undefined ? (
        list.error !== undefined ? (
          <ErrorState error={list.error} onRetry={list.reload} />
        ) : (
          <Loading label="Loading jobs…" />
        )
      ) : jobs.length === 0 ? (
        <JobsEmpty
          filter={filter}
          firstPage={cursor === null}
          onClear={() =>
            setFilter({
              ...filter,
              state: [],
              queue: null,
              handler: null,
              method: null,
              text: null,
            })
          }
        />
      ) : (
        <section aria-label="Job list">
          <BulkBar
            selection={selected}
            pageSize={jobs.length}
            pageSelected={selection.pageSelected}
            morePages={morePages}
            matchingLabel={matchingLabel}
            onSelectAllMatching={selectAllMatching}
            onClear={selection.clear}
            onAction={openAction}
          />
          <JobsTable
            jobs={jobs}
            selected={selection.isSelected}
            allSelected={selection.pageSelected}
            now={now}
            onToggle={selection.toggle}
            onToggleAll={selection.toggleAll}
          />
          <Pager
            pageNumber={pageNumber}
            rows={jobs.length}
            hasNext={list.data.nextCursor !== null}
            onFirst={() => setPaging({ key: filterKey, cursors: [null] })}
            onPrevious={() => setPaging({ key: filterKey, cursors: cursors.slice(0, -1) })}
            onNext={() => {
              const next = list.data?.nextCursor ?? null;
              if (next !== null) setPaging({ key: filterKey, cursors: [...cursors, next] });
            }}
          />
        </section>
      )}
      <BulkConfirm
        pending={pending}
        running={running}
        onConfirm={() => void confirm()}
        onClose={() => {
          if (!running) setPending(null);
        }}
      />
    </>
  );
}
