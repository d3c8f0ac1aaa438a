import { useCallback, useState, type RefObject } from 'react'
import type { Prediction } from '../api/client'
import type { FeedbackApi } from '../api/feedback'
import { useFeedback } from '../hooks/useFeedback'
import { useFeedbackConsent } from '../hooks/useFeedbackConsent'
import type { Input } from '../hooks/useInput'
import { usePointerType } from '../hooks/usePointerType'
import { useTeachCount } from '../hooks/useTeachCount'
import { nextPrompt, type Label } from '../lib/feedback'
import { FeedbackBar } from './FeedbackBar'
import { FeedbackNotice } from './FeedbackNotice'
import { TeachPrompt } from './TeachPrompt'
import './FeedbackPanel.css'

export interface FeedbackPanelProps {
  api: FeedbackApi
  input: Input
  canvasRef: RefObject<HTMLCanvasElement | null>
  /** The answer for the current drawing, if any. */
  result: Prediction | null
  /** Teach mode's prompts (tests fix it). */
  random?: () => number
}

/**
 * Feedback: after an answer, one tap confirms or corrects it; "Teach it" asks for a given digit
 * and counts what was given. Nothing is sent while the switch is off.
 */
export function FeedbackPanel({ api, input, canvasRef, result, random = Math.random }: FeedbackPanelProps) {
  const consent = useFeedbackConsent()
  const pointerType = usePointerType()
  const taught = useTeachCount()
  const [teaching, setTeaching] = useState(false)
  const [target, setTarget] = useState(() => nextPrompt(null, random))
  const feedback = useFeedback({ api, canvasRef, drawing: input.drawing, result, pointerType })
  const { send } = feedback
  const { clear } = input

  const sendAnswer = useCallback(
    async (label: Label) => {
      if (await send(label)) taught.add()
    },
    [send, taught],
  )
  const sendTeach = useCallback(async () => {
    if (await send(target)) {
      taught.add()
      clear()
      setTarget((previous) => nextPrompt(previous, random))
    }
  }, [send, target, taught, clear, random])
  const skip = useCallback(() => {
    clear()
    setTarget((previous) => nextPrompt(previous, random))
  }, [clear, random])

  const drawing = input.image === null
  return (
    <section className="card feedback-card" aria-labelledby="feedback-heading" data-testid="feedback-panel">
      <div className="card-header">
        <h2 id="feedback-heading">{teaching ? 'Teach it' : 'Was it right?'}</h2>
        <button
          type="button"
          aria-pressed={teaching}
          onClick={() => setTeaching((on) => !on)}
          disabled={!consent.enabled}
          data-testid="teach-toggle"
        >
          {teaching ? 'Back to free drawing' : 'Teach it'}
        </button>
      </div>
      {!consent.enabled ? (
        <p className="muted small" data-testid="feedback-off">
          Feedback is off: nothing you draw is sent.
        </p>
      ) : teaching && drawing ? (
        <TeachPrompt target={target} drawn={!input.empty} state={feedback.state} onSend={sendTeach} onSkip={skip} />
      ) : result && drawing && !input.empty ? (
        <FeedbackBar result={result} state={feedback.state} onSend={sendAnswer} />
      ) : (
        <p className="muted small">Draw a digit; when the answer shows, tell us if it is right.</p>
      )}
      <p className="small" data-testid="teach-count" aria-live="polite">
        You have given {taught.count} {taught.count === 1 ? 'drawing' : 'drawings'}.
      </p>
      <FeedbackNotice enabled={consent.enabled} onChange={consent.setEnabled} />
    </section>
  )
}
