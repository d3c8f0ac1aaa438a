import { useId } from 'react'

export interface FeedbackNoticeProps {
  enabled: boolean
  onChange: (enabled: boolean) => void
}

/** The plain notice that feedback is stored, and its off switch (remembered in this browser). */
export function FeedbackNotice({ enabled, onChange }: FeedbackNoticeProps) {
  const id = useId()
  return (
    <p className="feedback-notice small muted" data-testid="feedback-notice">
      Drawings you send as feedback are stored to improve the model (the drawing, its strokes and your
      answer; no account, no IP address).{' '}
      <label htmlFor={id} className="feedback-switch">
        <input
          id={id}
          type="checkbox"
          role="switch"
          checked={enabled}
          onChange={(event) => onChange(event.target.checked)}
          data-testid="feedback-switch"
        />{' '}
        Send feedback
      </label>
    </p>
  )
}
