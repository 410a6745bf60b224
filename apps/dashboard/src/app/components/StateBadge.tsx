import type { JobState } from '../api/types.js';
import './badge.css';

/** A job's state as a coloured label (the colour is never the only cue: the word is there). */
export function StateBadge({ state }: { readonly state: JobState }) {
  return <span className={`badge badge-${state}`}>{state}</span>;
}
