import { Bar, BarChart, Cell, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts'
import { formatPercent } from '../lib/format'

export interface ProbabilityChartProps {
  /** Probability per digit, index = digit. */
  probabilities: readonly number[]
  /** The predicted digit, highlighted. */
  digit: number
  /** The answer is "not a digit": the chart is shown faded, as what the model would read if it were one. */
  muted?: boolean
}

/**
 * Bar colours come from the theme (`--chart-highlight`, `--chart-bar` in index.css, light and
 * dark): the class names below set `fill` in CSS; these are only the fallbacks.
 */
const HIGHLIGHT = '#4f46e5'
const MUTED = '#94a3b8'

/** Bar chart of the ten class probabilities, with a screen-reader table of the same numbers. */
export function ProbabilityChart({ probabilities, digit, muted = false }: ProbabilityChartProps) {
  const data = probabilities.map((p, d) => ({ digit: String(d), probability: p }))
  const caption = muted ? 'If it were a digit: probability of each' : 'Probability of each digit'
  return (
    <figure className={`chart${muted ? ' is-muted' : ''}`} data-testid="probability-chart">
      <figcaption className="chart-caption">{caption}</figcaption>
      <div className="chart-plot" aria-hidden="true">
        <ResponsiveContainer width="100%" height={180} initialDimension={{ width: 320, height: 180 }}>
          <BarChart
            data={data}
            margin={{ top: 8, right: 4, bottom: 0, left: 0 }}
            barCategoryGap="18%"
            // The chart is hidden from assistive technology (the table below says the same): not focusable either.
            accessibilityLayer={false}
          >
            <XAxis
              dataKey="digit"
              tickLine={false}
              axisLine={{ stroke: 'currentColor', strokeOpacity: 0.25 }}
              tick={{ fill: 'currentColor', fontSize: 13 }}
              interval={0}
            />
            <YAxis
              domain={[0, 1]}
              ticks={[0, 0.5, 1]}
              tickFormatter={(v: number) => `${Math.round(v * 100)}%`}
              tickLine={false}
              axisLine={false}
              tick={{ fill: 'currentColor', fontSize: 11, fillOpacity: 0.7 }}
              width={40}
            />
            <Tooltip
              cursor={{ fill: 'currentColor', fillOpacity: 0.06 }}
              formatter={(value) => [formatPercent(Number(value)), 'probability']}
              labelFormatter={(label) => `Digit ${String(label)}`}
              contentStyle={{
                borderRadius: 8,
                fontSize: 13,
                background: 'var(--surface)',
                color: 'var(--text)',
                borderColor: 'var(--border)',
              }}
            />
            <Bar dataKey="probability" radius={[4, 4, 0, 0]} isAnimationActive={false} minPointSize={2}>
              {data.map((entry) => (
                <Cell
                  key={entry.digit}
                  className={Number(entry.digit) === digit ? 'bar bar-highlight' : 'bar'}
                  fill={Number(entry.digit) === digit ? HIGHLIGHT : MUTED}
                />
              ))}
            </Bar>
          </BarChart>
        </ResponsiveContainer>
      </div>
      <table className="visually-hidden" data-testid="probability-table">
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Digit</th>
            <th scope="col">Probability</th>
          </tr>
        </thead>
        <tbody>
          {data.map((entry) => (
            <tr key={entry.digit} aria-current={Number(entry.digit) === digit ? 'true' : undefined}>
              <td>{entry.digit}</td>
              <td>{formatPercent(entry.probability)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  )
}
