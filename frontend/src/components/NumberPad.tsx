import { useEffect, useReducer, useRef, useState, type PointerEvent as ReactPointerEvent } from 'react'
import { feedbackApi, type FeedbackApi } from '../api/feedback'
import { numbersApi, type NumberDigit, type NumberReading, type NumbersApi } from '../api/numbers'
import { useDigitFeedback } from '../hooks/useDigitFeedback'
import type { FeedbackState } from '../hooks/useFeedback'
import { useFeedbackConsent } from '../hooks/useFeedbackConsent'
import { useLabelRows } from '../hooks/useLabelRows'
import { useNumberPrediction } from '../hooks/useNumberPrediction'
import { usePointerType } from '../hooks/usePointerType'
import { labelText, predictedLabel } from '../lib/feedback'
import {
  boxStyle,
  emptyTimedDrawing,
  isEmptyTimed,
  labelAlign,
  labelInside,
  lastTime,
  timedReducer,
  toRenderDrawing,
  type TimedDrawing,
} from '../lib/numberDrawing'
import { errorMessage, formatPercent } from '../lib/format'
import { renderDrawing } from '../lib/strokes'
import { CANVAS_BACKGROUND, CANVAS_INK } from './DrawingCanvas'
import { FeedbackBar } from './FeedbackBar'
import { FeedbackNotice } from './FeedbackNotice'
import { ProbabilityChart } from './ProbabilityChart'
import './FeedbackPanel.css'

/** Logical size of the Number mode's canvas (CSS px): landscape, room for a year or a price. */
export const NUMBER_CANVAS_WIDTH = 840
export const NUMBER_CANVAS_HEIGHT = 280
/** The pen, in logical px (the service paints strokes with its STROKE_BRUSH_WIDTH, 22 px). */
export const NUMBER_BRUSH = 22

export interface NumberPadProps {
  api?: NumbersApi
  /** Where a digit's confirmation or correction is sent. */
  feedback?: FeedbackApi
  /** The model that reads the digits; null for the service's default. */
  model: string | null
  /** Shortest time between the starts of two requests (ms). */
  minIntervalMs?: number
  /** Strokes to start with (a number first written in the Digit mode). */
  initialDrawing?: TimedDrawing
}

function digitLabel(d: NumberDigit): string {
  if (d.verdict === 'not_a_digit') return '✕'
  return d.verdict === 'uncertain' ? `${d.digit}?` : String(d.digit)
}

/** What the user said of a digit, once stored: confirmed (the label is the digit read) or corrected. */
function feedbackMark(d: NumberDigit, state: FeedbackState): 'confirmed' | 'corrected' | null {
  if (state.status !== 'sent') return null
  return state.label === predictedLabel(d) ? 'confirmed' : 'corrected'
}

/**
 * The Number mode: a wide canvas where a whole number is written; what the service reads
 * appears as it is written, with a box over each digit and its confidence. Tapping a digit shows
 * its probabilities and the 28x28 image the model saw, and one tap confirms or corrects it
 * (sent as feedback: that digit's crop and strokes; nothing while the switch is off); uncertain
 * digits are marked, and so are the digits confirmed or corrected.
 */
export function NumberPad({
  api = numbersApi,
  feedback = feedbackApi,
  model,
  minIntervalMs = 80,
  initialDrawing = emptyTimedDrawing,
}: NumberPadProps) {
  const [drawing, dispatch] = useReducer(timedReducer, initialDrawing)
  // The tapped digit, of the answer it was tapped in (a newer answer clears it).
  const [tapped, setTapped] = useState<{ result: NumberReading; index: number } | null>(null)
  const canvasRef = useRef<HTMLCanvasElement | null>(null)
  const surfaceRef = useRef<HTMLDivElement | null>(null)
  const pointer = useRef<number | null>(null)
  const started = useRef<number | null>(null)
  const reading = useNumberPrediction({ api, drawing, model, minIntervalMs })
  const result = reading.result
  const consent = useFeedbackConsent()
  const pointerType = usePointerType()
  const digitFeedback = useDigitFeedback({
    api: feedback,
    canvasRef,
    width: NUMBER_CANVAS_WIDTH,
    height: NUMBER_CANVAS_HEIGHT,
    drawing,
    result,
    pointerType,
  })
  const dpr = typeof window === 'undefined' ? 1 : window.devicePixelRatio || 1
  const empty = isEmptyTimed(drawing)
  // What decides where the digits' labels go: their boxes and what they say.
  const labels =
    result && !empty
      ? result.digits
          .map((d, i) => `${d.box.join(',')} ${digitLabel(d)} ${formatPercent(d.confidence)} ${feedbackMark(d, digitFeedback.stateOf(i)) ?? ''}`)
          .join(';')
      : ''
  const labelRowOf = useLabelRows(surfaceRef, '[data-testid="digit-box-label"]', labels)

  useEffect(() => {
    const ctx = canvasRef.current?.getContext('2d')
    if (!ctx || !canvasRef.current) return
    renderDrawing(ctx, toRenderDrawing(drawing, NUMBER_BRUSH), {
      width: NUMBER_CANVAS_WIDTH,
      height: NUMBER_CANVAS_HEIGHT,
      scale: canvasRef.current.width / NUMBER_CANVAS_WIDTH,
      background: CANVAS_BACKGROUND,
      ink: CANVAS_INK,
    })
  }, [drawing])

  const at = (event: ReactPointerEvent<HTMLCanvasElement>) => {
    const rect = event.currentTarget.getBoundingClientRect()
    const x = rect.width > 0 ? ((event.clientX - rect.left) * NUMBER_CANVAS_WIDTH) / rect.width : 0
    const y = rect.height > 0 ? ((event.clientY - rect.top) * NUMBER_CANVAS_HEIGHT) / rect.height : 0
    const now = performance.now()
    started.current ??= now - (lastTime(initialDrawing) + 1000) // after the strokes it started with
    return { x, y, t: now - started.current }
  }
  const selected = tapped && tapped.result === result ? tapped.index : null
  const chosen = selected !== null && result ? result.digits[selected] : undefined
  const pending = reading.loading || reading.queued || drawing.active !== null

  return (
    <section className="card number-pad" aria-label="Write a number" data-testid="number-pad" data-pending={pending ? 'true' : 'false'}>
      <div className="number-reading" aria-live="polite">
        {empty ? (
          <span className="muted" data-testid="number-prompt">Write a number, e.g. a year: 2026</span>
        ) : result ? (
          <>
            <span className="number-value" data-testid="number-value">
              {result.number === '' ? '–' : result.number}
            </span>
            <span className="muted small" data-testid="number-confidence">
              {' '}
              {formatPercent(result.confidence)} sure of every digit
            </span>
          </>
        ) : reading.error ? (
          <span role="alert">{errorMessage(reading.error)}</span>
        ) : (
          <span className="muted">Reading…</span>
        )}
      </div>
      <div className="number-surface" ref={surfaceRef}>
        <canvas
          ref={canvasRef}
          data-testid="number-canvas"
          aria-label="Number canvas: write digits side by side"
          width={Math.round(NUMBER_CANVAS_WIDTH * dpr)}
          height={Math.round(NUMBER_CANVAS_HEIGHT * dpr)}
          style={{ width: '100%', height: 'auto', aspectRatio: `${NUMBER_CANVAS_WIDTH} / ${NUMBER_CANVAS_HEIGHT}`, touchAction: 'none' }}
          onPointerDown={(event) => {
            if (pointer.current !== null) return
            pointer.current = event.pointerId
            event.currentTarget.setPointerCapture?.(event.pointerId)
            dispatch({ type: 'begin', ...at(event) })
          }}
          onPointerMove={(event) => {
            if (pointer.current !== event.pointerId) return
            dispatch({ type: 'extend', ...at(event) })
          }}
          onPointerUp={(event) => {
            if (pointer.current !== event.pointerId) return
            pointer.current = null
            dispatch({ type: 'end' })
          }}
          onPointerCancel={() => {
            pointer.current = null
            dispatch({ type: 'end' })
          }}
        />
        {result && !empty
          ? result.digits.map((d, i) => {
              const state = digitFeedback.stateOf(i)
              const mark = feedbackMark(d, state)
              const saved = state.status === 'sent' ? labelText(state.label) : ''
              const row = labelRowOf[i] ?? 'above'
              return (
                <button
                  key={`${i}-${d.box.join(',')}`}
                  type="button"
                  className={`digit-box is-${d.verdict}${selected === i ? ' is-selected' : ''}${mark ? ` is-${mark}` : ''}${
                    labelInside(d.box, NUMBER_CANVAS_HEIGHT, row) ? ' label-inside' : ''
                  } label-${labelAlign(d.box, NUMBER_CANVAS_WIDTH)} label-${row}`}
                  style={boxStyle(d.box, NUMBER_CANVAS_WIDTH, NUMBER_CANVAS_HEIGHT)}
                  data-testid="digit-box"
                  data-verdict={d.verdict}
                  data-feedback={mark ?? undefined}
                  aria-pressed={selected === i}
                  aria-label={`Digit ${i + 1}: ${digitLabel(d)}, ${formatPercent(d.confidence)}${
                    mark === 'confirmed' ? ', confirmed' : mark === 'corrected' ? `, corrected to ${saved}` : ''
                  }`}
                  onClick={() => setTapped(selected === i || !result ? null : { result, index: i })}
                >
                  <span className="digit-box-label" data-testid="digit-box-label">
                    {digitLabel(d)} <span className="small">{formatPercent(d.confidence)}</span>
                    {mark === 'confirmed' ? <span className="digit-box-mark"> ✓</span> : null}
                    {mark === 'corrected' ? <span className="digit-box-mark"> → {saved === 'not a digit' ? '✕' : saved}</span> : null}
                  </span>
                </button>
              )
            })
          : null}
      </div>
      <div className="number-actions">
        <button type="button" onClick={() => dispatch({ type: 'undo' })} disabled={empty}>
          Undo
        </button>
        <button type="button" onClick={() => dispatch({ type: 'clear' })} disabled={empty} data-testid="number-clear">
          Clear
        </button>
      </div>
      {chosen ? (
        <div className="number-detail" data-testid="digit-detail">
          <img
            className="input-image"
            src={`data:image/png;base64,${chosen.input_image}`}
            alt={`The 28x28 image the model saw for digit ${(selected ?? 0) + 1}`}
            width={112}
            height={112}
            style={{ imageRendering: 'pixelated' }}
            data-testid="digit-input-image"
          />
          <ProbabilityChart probabilities={chosen.probabilities} digit={chosen.digit} muted={chosen.verdict === 'not_a_digit'} />
          <div className="feedback-card number-feedback" data-testid="digit-feedback">
            {consent.enabled && selected !== null ? (
              <FeedbackBar
                result={chosen}
                state={digitFeedback.stateOf(selected)}
                onSend={(label) => void digitFeedback.send(selected, label)}
                groupLabel={`Is digit ${selected + 1} right?`}
              />
            ) : (
              <p className="muted small" data-testid="feedback-off">
                Feedback is off: nothing you draw is sent.
              </p>
            )}
          </div>
        </div>
      ) : null}
      <FeedbackNotice enabled={consent.enabled} onChange={consent.setEnabled} />
    </section>
  )
}
