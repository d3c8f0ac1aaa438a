import type { ModelInfo, ModelReading } from '../api/client'
import { consensus, type ModelAnswer } from '../lib/compare'
import { candidates, formatInference, formatPercent } from '../lib/format'
import { engineLabel } from '../lib/models'
import { MiniBars } from './MiniBars'

export interface CompareViewProps {
  /** The models the service serves (for their engine), in the service's order. */
  models: readonly ModelInfo[]
  /** Every model's answer to the current input; null before the first comparison. */
  answers: readonly ModelAnswer[] | null
  /** A comparison is running. */
  loading: boolean
  /** The comparison as a whole failed (e.g. the service went away). */
  error: string | null
  /** There is nothing to compare (empty canvas, no image). */
  empty: boolean
  /** The model chosen in the picker (highlighted). */
  selected: string
}

function summary(answers: readonly ModelAnswer[]): string {
  const results = answers.flatMap((a) => (a.result ? [a.result] : []))
  const answered = results.length
  if (answered === 0) return 'No model could answer.'
  const agreed = consensus(answers)
  const failed = answers.length - answered
  const tail = failed > 0 ? ` (${failed} failed)` : ''
  if (agreed === 'not_a_digit') return answered === 1 ? `One model answered: not a digit${tail}.` : `No model sees a digit${tail}.`
  if (agreed !== null) return answered === 1 ? `One model answered: ${agreed}${tail}.` : `All ${answered} models read ${agreed}${tail}.`
  if (results.every((r) => r.verdict === 'uncertain')) return answered === 1 ? `One model answered: not sure${tail}.` : `No model is sure${tail}.`
  return `The models disagree${tail}.`
}

/** One model's reading, worded by its verdict like the result panel: a digit, two candidates, or "not a digit". */
function Reading({ result }: { result: ModelReading }) {
  if (result.verdict === 'not_a_digit') {
    return (
      <div className="compare-answer is-not-digit">
        <span className="compare-not-digit" data-testid="compare-not-digit">
          not a digit
        </span>
      </div>
    )
  }
  if (result.verdict === 'uncertain') {
    const [first, second] = candidates(result)
    return (
      <div className="compare-answer is-uncertain">
        <span className="compare-digit" data-testid="compare-uncertain">
          {first.digit}
          <span className="compare-or"> or </span>
          {second.digit}
        </span>
        <span className="compare-meta">
          <span className="uncertain small">not sure</span>
          <span className="small" data-testid="compare-candidates">
            {formatPercent(first.probability)} / {formatPercent(second.probability)}
          </span>
        </span>
      </div>
    )
  }
  return (
    <div className="compare-answer">
      <span className="compare-digit" data-testid="compare-digit">
        {result.digit}
      </span>
      <span className="compare-meta">
        <span data-testid="compare-confidence">{formatPercent(result.confidence)}</span>
      </span>
    </div>
  )
}

function AnswerCard({ answer, engine, selected }: { answer: ModelAnswer; engine: string | null; selected: boolean }) {
  const { result } = answer
  return (
    <li
      className={`compare-item${selected ? ' is-selected' : ''}`}
      data-testid="compare-item"
      data-model={answer.model}
      data-verdict={result?.verdict ?? 'error'}
    >
      <div className="compare-item-header">
        <h3>{answer.model}</h3>
        {engine ? <span className="tag">{engineLabel(engine)}</span> : null}
      </div>
      {result ? (
        <>
          <Reading result={result} />
          <MiniBars probabilities={result.probabilities} digit={result.digit} muted={result.verdict === 'not_a_digit'} />
        </>
      ) : (
        <p className="compare-error small" role="alert">
          {answer.error}
        </p>
      )}
      <p className="muted small">
        <span data-testid="compare-latency">{formatInference(answer.latencyMs)}</span> on the server
      </p>
    </li>
  )
}

/** Every model's answer to the same input, side by side. */
export function CompareView({ models, answers, loading, error, empty, selected }: CompareViewProps) {
  const engines = new Map(models.map((m) => [m.name, m.engine]))
  let body
  if (empty) {
    body = <p className="muted">Draw a digit or choose an image: every model will read it.</p>
  } else if (error !== null) {
    body = (
      <p className="notice notice-warning" role="alert">
        {error}
      </p>
    )
  } else if (answers === null) {
    body = <p className="muted">Asking every model…</p>
  } else {
    body = (
      <>
        <p className="compare-summary" data-testid="compare-summary" aria-live="polite">
          {summary(answers)}
        </p>
        <ul className={`compare-grid${loading ? ' is-stale' : ''}`}>
          {answers.map((answer) => (
            <AnswerCard
              key={answer.model}
              answer={answer}
              engine={engines.get(answer.model) ?? null}
              selected={answer.model === selected}
            />
          ))}
        </ul>
        <p className="muted small">
          One request asks every model about the same image; each time is that model's own work on
          the server.
        </p>
      </>
    )
  }
  return (
    <section className="card compare-card" aria-labelledby="compare-heading" aria-busy={loading} data-testid="compare-view">
      <div className="card-header">
        <h2 id="compare-heading">All models</h2>
        {loading ? (
          <span className="loading" role="status">
            <span className="spinner" aria-hidden="true" />
            Comparing…
          </span>
        ) : null}
      </div>
      {body}
    </section>
  )
}
