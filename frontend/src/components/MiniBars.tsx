import { formatPercent } from '../lib/format'

export interface MiniBarsProps {
  probabilities: readonly number[]
  digit: number
  /** The model says "not a digit": the bars are shown faded. */
  muted?: boolean
}

/** A compact bar chart of the ten probabilities (plain elements: dozens fit on a page). */
export function MiniBars({ probabilities, digit, muted = false }: MiniBarsProps) {
  const top = probabilities
    .map((p, d) => ({ d, p }))
    .sort((a, b) => b.p - a.p)
    .slice(0, 3)
  const label = `${muted ? 'If it were a digit, top' : 'Top'} probabilities: ${top.map(({ d, p }) => `${d}: ${formatPercent(p)}`).join(', ')}`
  return (
    <div className={`mini-bars${muted ? ' is-muted' : ''}`} role="img" aria-label={label} data-testid="mini-bars">
      {probabilities.map((p, d) => (
        <div key={d} className={`mini-bar${d === digit ? ' is-top' : ''}`}>
          <div className="mini-bar-track">
            <div className="mini-bar-fill" style={{ height: `${Math.max(2, Math.min(1, p) * 100)}%` }} />
          </div>
          <span className="mini-bar-label" aria-hidden="true">
            {d}
          </span>
        </div>
      ))}
    </div>
  )
}
