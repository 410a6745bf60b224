import './progress.css';
/** A progress bar with its percentage written out. */
export function ProgressBar({
  percent,
  label,
}: {
  readonly percent: number;
  readonly label: string;
}) {
  const rounded = Math.round(percent);
  return (
    <div className="progress">
      <div
        className="progress-track"
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={rounded}
      >
        <div className="progress-fill" style={{ width: `${percent}%` }} />
      </div>
      <span className="progress-text">{rounded}%</span>
    </div>
  );
}
