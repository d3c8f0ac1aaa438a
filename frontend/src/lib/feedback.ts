/**
 * Pure helpers of the feedback UI: the request body for a drawing, the label of an answer,
 * Teach mode's prompts.
 */
import type { FeedbackBody } from '../api/feedback'
import type { Prediction } from '../api/client'
import type { Drawing } from './strokes'

/** What a user says a drawing is: a digit 0-9, or null for "not a digit". */
export type Label = number | null

/** The model's answer as a label: its digit, or null when it said "not a digit". */
export function predictedLabel(result: Pick<Prediction, 'digit' | 'verdict'>): Label {
  return result.verdict === 'not_a_digit' ? null : result.digit
}

export function labelText(label: Label): string {
  return label === null ? 'not a digit' : String(label)
}

/** The strokes as the API takes them: `[[[x, y, t_ms], ...], ...]` in canvas pixels, rounded to 0.1 px
 * (t: the point's time since the first point when the canvas recorded one, else 0). */
export function strokesOf(drawing: Drawing): number[][][] {
  const strokes = drawing.active ? [...drawing.strokes, drawing.active] : drawing.strokes
  const times = strokes.flatMap((stroke) => stroke.points.map((p) => p.t)).filter((t) => typeof t === 'number')
  const start = times.length ? Math.min(...(times as number[])) : 0
  return strokes.map((stroke) =>
    stroke.points.map((p) => {
      const t = p.t
      return [Math.round(p.x * 10) / 10, Math.round(p.y * 10) / 10, typeof t === 'number' ? Math.round(t - start) : 0]
    }),
  )
}

/** The device class of a pointer type (`PointerEvent.pointerType`). */
export function deviceOf(pointerType: string | null | undefined): FeedbackBody['device'] {
  return pointerType === 'touch' || pointerType === 'mouse' || pointerType === 'pen' ? pointerType : null
}

export interface FeedbackInput {
  image: string
  drawing: Drawing
  result: Prediction | null
  canvas: { width: number; height: number } | null
  device: FeedbackBody['device']
}

/** The `POST /feedback` body for a drawing labelled `label`. */
export function feedbackBody(label: Label, { image, drawing, result, canvas, device }: FeedbackInput): FeedbackBody {
  return {
    image,
    label,
    predicted: result ? predictedLabel(result) : null,
    model_version: result?.model_version ?? 'none',
    probabilities: result ? [...result.probabilities] : null,
    strokes: strokesOf(drawing) as FeedbackBody['strokes'],
    canvas,
    device,
  }
}

/** Teach mode's next prompt: a digit 0-9 other than `previous`, from `random` in [0, 1). */
export function nextPrompt(previous: number | null, random: () => number = Math.random): number {
  if (previous === null) return Math.min(9, Math.floor(random() * 10))
  const pick = Math.min(8, Math.floor(random() * 9)) // one of the nine other digits
  return pick >= previous ? pick + 1 : pick
}
