import type { Prediction } from '../api/client'
import type { FeedbackState } from '../hooks/useFeedback'
import { labelText, predictedLabel, type Label } from '../lib/feedback'

export interface FeedbackBarProps {
  /** The answer to confirm or correct (a single digit's, or one digit of a number). */
  result: Pick<Prediction, 'digit' | 'verdict'>
  state: FeedbackState
  onSend: (label: Label) => void
  /** The accessible name of the group of buttons. */
  groupLabel?: string
}

const DIGITS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]

/** One tap after an answer: confirm it, or correct it (0-9, or not a digit). */
export function FeedbackBar({ result, state, onSend, groupLabel = 'Is the answer right?' }: FeedbackBarProps) {
  const answer = predictedLabel(result)
  if (state.status === 'sent') {
    return (
      <p className="feedback-bar feedback-done" role="status" data-testid="feedback-done">
        Thanks: saved as <strong>{labelText(state.label)}</strong>.
      </p>
    )
  }
  const busy = state.status === 'sending'
  return (
    <div className="feedback-bar" role="group" aria-label={groupLabel} data-testid="feedback-bar">
      <span className="feedback-question">
        {answer === null ? 'Not a digit, right?' : `Is it ${answer}?`}
      </span>
      <button type="button" className="feedback-yes" onClick={() => onSend(answer)} disabled={busy} data-testid="feedback-yes">
        Yes
      </button>
      <span className="muted small">No, it is:</span>
      <span className="feedback-digits">
        {DIGITS.filter((d) => d !== answer).map((digit) => (
          <button
            key={digit}
            type="button"
            onClick={() => onSend(digit)}
            disabled={busy}
            aria-label={`It is ${digit}`}
            data-testid={`feedback-digit-${digit}`}
          >
            {digit}
          </button>
        ))}
        {answer !== null ? (
          <button type="button" onClick={() => onSend(null)} disabled={busy} data-testid="feedback-not-a-digit">
            Not a digit
          </button>
        ) : null}
      </span>
      {state.status === 'error' ? (
        <span className="feedback-error small" role="alert">
          Not saved: {state.message}
        </span>
      ) : null}
    </div>
  )
}
