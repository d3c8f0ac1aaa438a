import { useCallback, useLayoutEffect, useRef, useState, type RefObject } from 'react'
import type { FeedbackApi } from '../api/feedback'
import type { NumberReading } from '../api/numbers'
import { errorMessage } from '../lib/format'
import type { Label } from '../lib/feedback'
import { cropCanvas, cropRect, digitFeedbackBody, digitStrokes } from '../lib/numberFeedback'
import type { TimedDrawing } from '../lib/numberDrawing'
import type { FeedbackState } from './useFeedback'

export interface DigitFeedbackOptions {
  api: FeedbackApi
  /** The Number mode's canvas, `width` x `height` logical px drawn at `canvas.width / width` device px each. */
  canvasRef: RefObject<HTMLCanvasElement | null>
  width: number
  height: number
  drawing: TimedDrawing
  /** The reading whose digits are confirmed or corrected. */
  result: NumberReading | null
  /** The pointer type that drew ('touch', 'mouse', 'pen'). */
  pointerType: string | null
}

export interface DigitFeedback {
  /** The feedback state of digit `index` of the current reading (idle for a newer reading). */
  stateOf: (index: number) => FeedbackState
  /** Sends digit `index` (its crop and strokes) with `label`; resolves true once stored. */
  send: (index: number, label: Label) => Promise<boolean>
}

const IDLE: FeedbackState = { status: 'idle' }

/**
 * Feedback per digit of a number: the canvas cropped to the digit's box (plus `CROP_MARGIN`), its
 * strokes, the digit read and the reading's `model_version` go to `POST /feedback`. States belong
 * to the reading they were sent for.
 */
export function useDigitFeedback({ api, canvasRef, width, height, drawing, result, pointerType }: DigitFeedbackOptions): DigitFeedback {
  const [entry, setEntry] = useState<{ result: NumberReading; states: Readonly<Record<number, FeedbackState>> } | null>(null)
  const latest = useRef({ drawing, result, pointerType })
  useLayoutEffect(() => {
    latest.current = { drawing, result, pointerType }
  })
  const states = entry && entry.result === result ? entry.states : null
  const stateOf = useCallback((index: number) => states?.[index] ?? IDLE, [states])

  const send = useCallback(
    async (index: number, label: Label) => {
      const { drawing: current, result: reading, pointerType: pointer } = latest.current
      const canvas = canvasRef.current
      const digit = reading?.digits[index]
      if (!canvas || !reading || !digit) return false
      const rect = cropRect(digit.box, width, height)
      const image = cropCanvas(canvas, rect, canvas.width / width)
      if (!image) return false
      const setState = (next: FeedbackState) =>
        setEntry((previous) => ({
          result: reading,
          states: { ...(previous && previous.result === reading ? previous.states : {}), [index]: next },
        }))
      setState({ status: 'sending', label })
      try {
        const id = await api.send(
          digitFeedbackBody(label, {
            image,
            strokes: digitStrokes(current.strokes, rect),
            crop: rect,
            digit,
            modelVersion: reading.model_version,
            pointerType: pointer,
          }),
        )
        setState({ status: 'sent', label, id })
        return true
      } catch (error) {
        setState({ status: 'error', label, message: errorMessage(error) })
        return false
      }
    },
    [api, canvasRef, width, height],
  )

  return { stateOf, send }
}
