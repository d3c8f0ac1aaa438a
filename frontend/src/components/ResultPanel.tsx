import { memo } from 'react'
import type { Prediction } from '../api/client'
import { formatPercent, runnerUp } from '../lib/format'
import { ProbabilityChart } from './ProbabilityChart'

/** Below this confidence the prediction is shown as uncertain, with the runner-up. */
export const UNCERTAIN_BELOW = 0.6

export interface ResultPanelProps {
  /** Nothing is drawn. */
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
        like on a form.
      </p>
    </div>
  )
}

function PredictionView({ result }: { result: Prediction }) {
  const uncertain = result.confidence < UNCERTAIN_BELOW
  const second = runnerUp(result.probabilities, result.digit)
  return (
    <>
      <div className="prediction">
        <div className="prediction-digit" data-testid="prediction-digit" aria-label={`Predicted digit ${result.digit}`}>
          {result.digit}
        </div>
        <div className="prediction-meta">
          <p className="confidence">
            <span data-testid="confidence">{formatPercent(result.confidence)}</span> confidence
          </p>
          {uncertain ? (
            <p className="uncertain" data-testid="uncertain">
              <span className="badge">uncertain</span> could also be{' '}
              <strong data-testid="runner-up">{second}</strong> ({formatPercent(result.probabilities[second] ?? 0)})
            </p>
          ) : (
            <p className="muted">{result.confidence >= 0.9 ? 'The model is confident.' : 'The model is fairly sure.'}</p>
          )}
        </div>
        <figure className="model-input">
          <img
            data-testid="model-input-image"
            src={`data:image/png;base64,${result.input_image}`}
            width={84}
            height={84}
            alt="The 28 × 28 pixel image the model saw"
          />
          <figcaption className="muted">What the model saw (28×28)</figcaption>
        </figure>
      </div>
      <ProbabilityChart probabilities={result.probabilities} digit={result.digit} />
      <p className="muted small" data-testid="model-version">
        Model {result.model_version}
      </p>
    </>
  )
}

function ResultPanelImpl({ empty, unreachable, modelMissing = false, result, error, loading }: ResultPanelProps) {
  let body
  if (unreachable) {
    body = (
      <div className="notice notice-error" role="alert" data-testid="service-unreachable">
        <p>
          <strong>The recognition service is not reachable.</strong> Start it with <code>make run</code>.
        </p>
        <p className="small">This page keeps checking and reconnects by itself.</p>
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
        <p className="notice-title">Could not recognise the drawing.</p>
        <p>{error}</p>
      </div>
    )
  } else if (result) {
    body = <PredictionView result={result} />
  } else {
    body = <Spinner label="Recognising…" />
  }

  return (
    <section className="card result-card" aria-labelledby="result-heading" aria-busy={loading}>
      <div className="card-header">
        <h2 id="result-heading">Prediction</h2>
        {loading && result && !empty && !unreachable ? <Spinner label="Updating…" /> : null}
      </div>
      <div className={`result-body${loading && result ? ' is-stale' : ''}`} aria-live="polite">
        {body}
      </div>
    </section>
  )
}

export const ResultPanel = memo(ResultPanelImpl)
