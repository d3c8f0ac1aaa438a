import type { FeedbackState } from '../hooks/useFeedback'

export interface TeachPromptProps {
  target: number
  /** Something is drawn on the canvas. */
  drawn: boolean
  state: FeedbackState
  onSend: () => void
  onSkip: () => void
}

/** Teach mode's prompt, as Quick, Draw! asks: "Draw a 4", then send it and get the next one. */
export function TeachPrompt({ target, drawn, state, onSend, onSkip }: TeachPromptProps) {
  return (
    <div className="teach-prompt" data-testid="teach-prompt">
      <p className="teach-target" aria-live="polite">
        Draw a <strong data-testid="teach-target">{target}</strong>
      </p>
      <div className="teach-actions">
        <button type="button" onClick={onSend} disabled={!drawn || state.status === 'sending'} data-testid="teach-send">
          Send and next
        </button>
        <button type="button" onClick={onSkip} data-testid="teach-skip">
          Skip
        </button>
      </div>
      {state.status === 'error' ? (
        <p className="feedback-error small" role="alert">
          Not saved: {state.message}
        </p>
      ) : null}
    </div>
  )
}
