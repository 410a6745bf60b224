import { useEffect, useState } from 'react';
import type { Job } from '../../api/types.js';
import type { Selection } from './BulkBar.js';

/** The rows picked on one page of the jobs list, and the ways to change them. */
export interface PageSelection {
  readonly selected: Selection;
  /** The picked ids (empty when every matching job is selected). */
  readonly ids: ReadonlySet<string>;
  /** True when every row of the page is selected. */
  readonly pageSelected: boolean;
  readonly isSelected: (id: string) => boolean;
  readonly toggle: (id: string) => void;
  readonly toggleAll: () => void;
  readonly selectAllMatching: () => void;
  readonly clear: () => void;
}

const NONE: Selection = { kind: 'ids', ids: new Set() };

/**
 * The selection of the page `pageKey` (filter and cursor) of filter `filterKey`. Picked rows
 * belong to their page; "all matching" lasts across the filter's pages. Rows that leave the
 * page (finished and filtered out, deleted) are forgotten.
 */
export function useSelection(
  pageKey: string,
  filterKey: string,
  jobs: readonly Job[] | undefined,
): PageSelection {
  const [selection, setSelection] = useState<{ key: string; value: Selection }>({
    key: pageKey,
    value: NONE,
  });
  const selected: Selection =
    selection.key === pageKey ||
    (selection.value.kind === 'all-matching' && selection.key.startsWith(`${filterKey}|`))
      ? selection.value
      : NONE;
  const set = (value: Selection) => setSelection({ key: pageKey, value });

  useEffect(() => {
    if (selected.kind !== 'ids' || selected.ids.size === 0 || jobs === undefined) return;
    const present = new Set(jobs.map((j) => j.id));
    const kept = [...selected.ids].filter((id) => present.has(id));
    if (kept.length !== selected.ids.size) {
      setSelection({ key: pageKey, value: { kind: 'ids', ids: new Set(kept) } });
    }
  }, [jobs, pageKey, selected]);

  const rows = jobs ?? [];
  const ids = selected.kind === 'ids' ? selected.ids : new Set<string>();
  const pageSelected =
    rows.length > 0 && (selected.kind === 'all-matching' || rows.every((j) => ids.has(j.id)));
  return {
    selected,
    ids,
    pageSelected,
    isSelected: (id) => selected.kind === 'all-matching' || ids.has(id),
    toggle: (id) => {
      // Unpicking one row of "all matching" keeps the rest of the page.
      const next = new Set(selected.kind === 'all-matching' ? rows.map((j) => j.id) : ids);
      if (selected.kind === 'ids' && !next.has(id)) next.add(id);
      else next.delete(id);
      set({ kind: 'ids', ids: next });
    },
    toggleAll: () =>
      set({ kind: 'ids', ids: pageSelected ? new Set() : new Set(rows.map((j) => j.id)) }),
    selectAllMatching: () => set({ kind: 'all-matching' }),
    clear: () => set(NONE),
  };
}
