import { useCallback, useLayoutEffect, useRef, useState, type RefObject } from 'react'
import type { Prediction } from '../api/client'
import type { FeedbackApi } from '../api/feedback'
import { errorMessage } from '../lib/format'
import { deviceOf, feedbackBody, type Label } from '../lib/feedback'
import type { Drawing } from '../lib/strokes'
import { CANVAS_SIZE } from '../components/DrawingCanvas'

export type FeedbackState =
  | { status: 'idle' }
  | { status: 'sending'; label: Label }
  | { status: 'sent'; label: Label; id: string }
  | { status: 'error'; label: Label; message: string }

export interface FeedbackOptions {
  api: FeedbackApi
  canvasRef: RefObject<HTMLCanvasElement | null>
  drawing: Drawing
  /** The answer being confirmed or corrected (null in Teach mode before one arrives). */
  result: Prediction | null
  /** The pointer type that drew ('touch', 'mouse', 'pen'). */
  pointerType: string | null
}

export interface Feedback {
  state: FeedbackState
  /** Sends the drawing on the canvas with `label`; resolves true once stored. */
  send: (label: Label) => Promise<boolean>
}

/** Sending the canvas's drawing as feedback; the state goes back to idle when the answer or drawing changes. */
export function useFeedback({ api, canvasRef, drawing, result, pointerType }: FeedbackOptions): Feedback {
  // The state belongs to the drawing and answer it was sent for; for any other it is idle.
  const [entry, setEntry] = useState<{ drawing: Drawing; result: Prediction | null; state: FeedbackState } | null>(null)
  const latest = useRef({ drawing, result, pointerType })
  useLayoutEffect(() => {
    latest.current = { drawing, result, pointerType }
  })
  const state: FeedbackState =
    entry && entry.drawing === drawing && entry.result === result ? entry.state : { status: 'idle' }

  const send = useCallback(
    async (label: Label) => {
      const image = canvasRef.current?.toDataURL('image/png') ?? ''
      if (!image) return false
      const { drawing: current, result: answer, pointerType: pointer } = latest.current
      const setState = (next: FeedbackState) => setEntry({ drawing: current, result: answer, state: next })
      setState({ status: 'sending', label })
      try {
        const id = await api.send(
          feedbackBody(label, {
            image,
            drawing: current,
            result: answer,
            canvas: { width: CANVAS_SIZE, height: CANVAS_SIZE },
            device: deviceOf(pointer),
          }),
        )
        setState({ status: 'sent', label, id })
        return true
      } catch (error) {
        setState({ status: 'error', label, message: errorMessage(error) })
        return false
      }
    },
    [api, canvasRef],
  )

  return { state, send }
}
