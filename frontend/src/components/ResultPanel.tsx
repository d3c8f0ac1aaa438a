import { memo, type ReactNode } from 'react'
import type { Prediction } from '../api/client'
import { announcement, candidates, formatPercent, NOT_A_DIGIT } from '../lib/format'
import { ProbabilityChart } from './ProbabilityChart'
import { SaliencyOnInput } from './Saliency'

export interface ResultPanelProps {
  /** Nothing is drawn and no image is chosen. */
  empty: boolean
  /** The backend cannot be reached. */
  unreachable: boolean
  /** The backend answered /health but has no model loaded. */
  modelMissing?: boolean
  /** Prediction for the current drawing. */
  result: Prediction | null
  /** The message of a failed request (the API's `detail`). */
  error: string | null
  /** A request has been running long enough to show an indicator. */
  loading: boolean
  /** A request has been running for much longer than usual. */
  slow?: boolean
  /** What is being recognised (for the wording of an error). */
  input?: 'drawing' | 'image'
  /** Shown above the result (the model picker). */
  children?: ReactNode
}

function Spinner({ label }: { label: string }) {
  return (
    <div className="loading" role="status" data-testid="loading">
      <span className="spinner" aria-hidden="true" />
      {label}
    </div>
  )
}

function Prompt() {
  return (
    <div className="prompt" data-testid="prompt">
      <p className="prompt-title">Draw a digit 0–9</p>
      <p className="muted">
        Use the canvas: the prediction updates while you draw. Write one digit, large and centred,
        like on a form. Or drop an image file here, or try one of the examples.
      </p>
    </div>
  )
}

function Candidates({ result }: { result: Prediction }) {
  const [first, second] = candidates(result)
  return (
    <>
      <div
        className="candidates"
        data-testid="candidates"
        role="img"
        aria-label={`Maybe ${first.digit} (${formatPercent(first.probability)}), or ${second.digit} (${formatPercent(second.probability)})`}
      >
        {[first, second].map(({ digit, probability }, i) => (
          <span key={digit} className={`candidate${i === 0 ? ' is-first' : ''}`} data-testid="candidate">
            <span className="candidate-digit" data-testid="candidate-digit">
              {digit}
            </span>
            <span className="candidate-percent">{formatPercent(probability)}</span>
          </span>
        ))}
      </div>
      <div className="prediction-meta">
        <p className="uncertain" data-testid="uncertain">
          <span className="badge">uncertain</span>{' '}
          <span data-testid="uncertain-text">
            Not sure — maybe {first.digit}, or <strong data-testid="runner-up">{second.digit}</strong>
          </span>
        </p>
        <p className="small">
          <span data-testid="confidence">{formatPercent(first.probability)}</span> for {first.digit},{' '}
          {formatPercent(second.probability)} for {second.digit}
        </p>
      </div>
    </>
  )
}

function NotADigit() {
  return (
    <div className="prediction-meta not-a-digit" data-testid="not-a-digit">
      <p className="verdict-title">{NOT_A_DIGIT}</p>
      <p className="muted">Draw one digit, 0–9, large and clear, like on a form.</p>
    </div>
  )
}

function ConfidentDigit({ result }: { result: Prediction }) {
  return (
    <>
      <div className="prediction-digit" data-testid="prediction-digit" aria-label={`Predicted digit ${result.digit}`}>
        {result.digit}
      </div>
      <div className="prediction-meta">
        <p className="confidence">
          <span data-testid="confidence">{formatPercent(result.confidence)}</span> confidence
        </p>
        <p className="muted">{result.confidence >= 0.9 ? 'The model is confident.' : 'The model is fairly sure.'}</p>
      </div>
    </>
  )
}

const VERDICT_CLASS: Record<Prediction['verdict'], string> = {
  digit: 'is-digit',
  uncertain: 'is-uncertain',
  not_a_digit: 'is-not-digit',
}

/** The answer, worded by the service's verdict (not by a confidence threshold of our own). */
function PredictionView({ result }: { result: Prediction }) {
  const { verdict } = result
  // Not a digit: the chart and the model's input stay, muted, for the curious.
  const muted = verdict === 'not_a_digit'
  return (
    <>
      <div
        className={`prediction ${VERDICT_CLASS[verdict]}`} data-testid="prediction"
        data-verdict={verdict}
        data-not-a-digit={result.not_a_digit}
      >
        {verdict === 'digit' ? <ConfidentDigit result={result} /> : verdict === 'uncertain' ? <Candidates result={result} /> : <NotADigit />}
        <figure className={`model-input${muted ? ' is-muted' : ''}`}>
          <span className="model-input-view">
            <img
              data-testid="model-input-image"
              src={`data:image/png;base64,${result.input_image}`}
              width={84}
              height={84}
              alt={
                result.saliency
                  ? 'The 28 × 28 pixel image the model saw, with what drove the answer in red'
                  : 'The 28 × 28 pixel image the model saw'
              }
            />
            {result.saliency ? <SaliencyOnInput saliency={result.saliency} size={84} /> : null}
          </span>
          <figcaption className="muted">
            {result.saliency ? 'What the model saw; red: what drove the answer' : 'What the model saw (28×28)'}
          </figcaption>
        </figure>
      </div>
      <ProbabilityChart probabilities={result.probabilities} digit={result.digit} muted={muted} />
      <p className="muted small" data-testid="model-version">
        Answered by <strong>{result.model}</strong> · {result.model_version}
      </p>
    </>
  )
}

function ResultPanelImpl({
  empty,
  unreachable,
  modelMissing = false,
  result,
  error,
  loading,
  slow = false,
  input = 'drawing',
  children,
}: ResultPanelProps) {
  let body
  if (unreachable) {
    body = (
      <div className="notice notice-error" role="alert" data-testid="service-unreachable">
        <p>
          <strong>Can't reach the recognition service right now.</strong> Check your connection; the
          service may also be restarting.
        </p>
        <p className="small">This page keeps trying and carries on by itself once it is back: no need to reload.</p>
      </div>
    )
  } else if (modelMissing) {
    body = (
      <div className="notice notice-error" role="alert" data-testid="model-missing">
        <p className="notice-title">The recognition service has no model loaded.</p>
        <p>Train one first, then restart the service.</p>
      </div>
    )
  } else if (empty) {
    body = <Prompt />
  } else if (error !== null) {
    body = (
      <div className="notice notice-warning" role="alert" data-testid="prediction-error">
        <p className="notice-title">Could not recognise the {input}.</p>
        <p>{error}</p>
      </div>
    )
  } else if (result) {
    body = <PredictionView result={result} />
  } else {
    body = <Spinner label="Recognising…" />
  }

  const showResult = !unreachable && !modelMissing && !empty && error === null && result !== null
  return (
    <section className="card result-card" aria-labelledby="result-heading" aria-busy={loading}>
      <div className="card-header">
        <h2 id="result-heading">Prediction</h2>
        {loading && result && !empty && !unreachable ? <Spinner label="Updating…" /> : null}
      </div>
      {children}
      {slow && !empty && !unreachable ? (
        <p className="notice notice-warning slow" role="status" data-testid="slow">
          The service is taking longer than usual to answer…
        </p>
      ) : null}
      <div className={`result-body${loading && result ? ' is-stale' : ''}`}>{body}</div>
      {/* One short, polite announcement per reading (the chart and numbers are not read out). */}
      <p className="visually-hidden" aria-live="polite" aria-atomic="true" data-testid="announcement">
        {showResult && result ? announcement(result) : ''}
      </p>
    </section>
  )
}

export const ResultPanel = memo(ResultPanelImpl)
