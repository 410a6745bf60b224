import { useCallback, useEffect, useState } from 'react';
import { type BulkTarget, countMatching, type MatchCount, runBulkAction } from '../../api/bulk.js';
import { read } from '../../api/client.js';
import { describeError } from '../../api/errors.js';
import { useSession } from '../../api/session.js';
import type { JobAction } from '../../api/types.js';
import { ConfirmDialog } from '../../components/ConfirmDialog.js';
import { Notice } from '../../components/Notice.js';
import { EmptyState, ErrorState, Loading, StaleBanner } from '../../components/States.js';
import { useNow } from '../../hooks/useNow.js';
import { useQuery } from '../../hooks/useQuery.js';
import {
  describeFilter,
  filterToQuery,
  filterToSearch,
  isEmptyFilter,
  type JobFilter,
  parseFilter,
} from '../../lib/filters.js';
import { formatCount, plural } from '../../lib/format.js';
import { Link, navigate, useLocation } from '../../router.js';
import { BulkBar, type Selection } from './BulkBar.js';
import { FilterBar } from './FilterBar.js';
import { JobsTable } from './JobsTable.js';

/** Rows per page. */
export const PAGE_SIZE = 50;

const VERBS: Record<JobAction, { verb: string; done: string; note: string }> = {
  cancel: {
    verb: 'Cancel',
    done: 'Cancelled',
    note: 'Running jobs are told to stop. Jobs already finished are left as they are.',
  },
  retry: {
    verb: 'Retry',
    done: 'Queued again',
    note: 'Failed, cancelled, retrying and scheduled jobs run again now; others are left as they are.',
  },
  delete: {
    verb: 'Delete',
    done: 'Deleted',
    note: 'Deleted jobs are gone for good. Running jobs are not deleted: cancel them first.',
  },
};

interface PendingAction {
  readonly action: JobAction;
  readonly target: BulkTarget;
  /** How many jobs it is for; null while counting. */
  readonly count: MatchCount | null;
  readonly countError?: string;
}

function countText(count: MatchCount): string {
  return `${count.atLeast ? 'at least ' : ''}${plural(count.count, 'job')}`;
}

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

  const [selection, setSelection] = useState<{ key: string; value: Selection }>({
    key: pageKey,
    value: { kind: 'ids', ids: new Set() },
  });
  const selected: Selection =
    selection.key === pageKey ||
    (selection.value.kind === 'all-matching' && selection.key.startsWith(`${filterKey}|`))
      ? selection.value
      : { kind: 'ids', ids: new Set() };
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

  // Forget selected rows that left the page (finished and filtered out, deleted).
  useEffect(() => {
    if (selected.kind !== 'ids' || selected.ids.size === 0 || list.data === undefined) return;
    const present = new Set(list.data.jobs.map((j) => j.id));
    const kept = [...selected.ids].filter((id) => present.has(id));
    if (kept.length !== selected.ids.size) {
      setSelection({ key: pageKey, value: { kind: 'ids', ids: new Set(kept) } });
    }
  }, [list.data, pageKey, selected]);

  const setFilter = useCallback((next: JobFilter, options: { replace?: boolean } = {}) => {
    const query = filterToSearch(next);
    navigate(query === '' ? '/jobs' : `/jobs?${query}`, options);
  }, []);

  const ids = selected.kind === 'ids' ? selected.ids : new Set<string>();
  const pageSelected =
    jobs.length > 0 && (selected.kind === 'all-matching' || jobs.every((j) => ids.has(j.id)));

  const toggle = (id: string) => {
    const next = new Set(ids);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setSelection({ key: pageKey, value: { kind: 'ids', ids: next } });
  };
  const toggleAll = () => {
    setSelection({
      key: pageKey,
      value: { kind: 'ids', ids: pageSelected ? new Set() : new Set(jobs.map((j) => j.id)) },
    });
  };

  const count = async (key: string): Promise<MatchCount> => {
    const result = await countMatching(client, filter);
    setMatching((m) => (m?.key === key ? { key, count: result } : m));
    return result;
  };

  const selectAllMatching = () => {
    setSelection({ key: pageKey, value: { kind: 'all-matching' } });
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
      setSelection({ key: pageKey, value: { kind: 'ids', ids: new Set() } });
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
        isEmptyFilter(filter) && cursor === null ? (
          <EmptyState title="No jobs yet">
            <p>
              Jobs appear here as soon as they are enqueued, by your application, the CLI or{' '}
              <Link to="/jobs/new">the New job form</Link>.
            </p>
          </EmptyState>
        ) : (
          <EmptyState title="No jobs match">
            <p>No {describeFilter(filter)}.</p>
            <button
              type="button"
              onClick={() =>
                setFilter({
                  ...filter,
                  state: [],
                  queue: null,
                  handler: null,
                  method: null,
                  text: null,
                })
              }
            >
              Clear filters
            </button>
          </EmptyState>
        )
      ) : (
        <section aria-label="Job list">
          <BulkBar
            selection={selected}
            pageSize={jobs.length}
            pageSelected={pageSelected}
            morePages={morePages}
            matchingLabel={matchingLabel}
            onSelectAllMatching={selectAllMatching}
            onClear={() => setSelection({ key: pageKey, value: { kind: 'ids', ids: new Set() } })}
            onAction={openAction}
          />
          <JobsTable
            jobs={jobs}
            selected={(id) => selected.kind === 'all-matching' || ids.has(id)}
            allSelected={pageSelected}
            now={now}
            onToggle={(id) => {
              if (selected.kind === 'all-matching') {
                const rest = new Set(jobs.map((j) => j.id));
                rest.delete(id);
                setSelection({ key: pageKey, value: { kind: 'ids', ids: rest } });
              } else toggle(id);
            }}
            onToggleAll={toggleAll}
          />
          <nav className="pager" aria-label="Pages">
            <button
              type="button"
              disabled={cursors.length <= 1}
              onClick={() => setPaging({ key: filterKey, cursors: [null] })}
            >
              First page
            </button>
            <button
              type="button"
              disabled={cursors.length <= 1}
              onClick={() => setPaging({ key: filterKey, cursors: cursors.slice(0, -1) })}
            >
              Previous
            </button>
            <span className="muted" aria-live="polite">
              Page {pageNumber} · {plural(jobs.length, 'job')}
            </span>
            <button
              type="button"
              disabled={list.data.nextCursor === null}
              onClick={() => {
                const next = list.data?.nextCursor ?? null;
                if (next !== null) setPaging({ key: filterKey, cursors: [...cursors, next] });
              }}
            >
              Next
            </button>
          </nav>
        </section>
      )}
      <ConfirmDialog
        open={pending !== null}
        title={
          pending === null
            ? ''
            : `${VERBS[pending.action].verb} ${pending.target.kind === 'ids' ? 'the selected jobs' : 'every matching job'}?`
        }
        confirmLabel={
          pending === null
            ? ''
            : running
              ? 'Working…'
              : pending.count === null
                ? 'Counting…'
                : `${VERBS[pending.action].verb} ${countText(pending.count)}`
        }
        danger={pending?.action !== 'retry'}
        busy={running || pending?.count === null}
        onConfirm={() => void confirm()}
        onClose={() => {
          if (!running) setPending(null);
        }}
      >
        {pending === null ? null : (
          <>
            <p data-testid="confirm-count">
              {pending.count === null
                ? pending.countError === undefined
                  ? 'Counting the matching jobs…'
                  : `Could not count the matching jobs: ${pending.countError}`
                : pending.target.kind === 'ids'
                  ? `This will ${pending.action} ${countText(pending.count)}.`
                  : `This will ${pending.action} ${countText(pending.count)}: all ${describeFilter(pending.target.filter)}.`}
            </p>
            <p className="muted">{VERBS[pending.action].note}</p>
          </>
        )}
      </ConfirmDialog>
    </>
  );
}
