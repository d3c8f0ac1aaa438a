import { useCallback, useEffect, useId, useReducer, useRef, useState } from 'react'
import { ApiError, digitsApi, type DigitsApi } from './api/client'
import { CANVAS_SIZE, DrawingCanvas } from './components/DrawingCanvas'
import { ResultPanel } from './components/ResultPanel'
import { useDelayedFlag } from './hooks/useDelayedFlag'
import { useHealth } from './hooks/useHealth'
import { usePrediction } from './hooks/usePrediction'
import { drawingReducer, emptyDrawing, isEmpty, type DrawingAction } from './lib/strokes'

export const DEFAULT_BRUSH = 22
export const MIN_BRUSH = 8
export const MAX_BRUSH = 40

export interface AppProps {
  api?: DigitsApi
  /** Debounce before a prediction request (ms). */
  debounceMs?: number
  /** How long a request may run before a loading indicator appears (ms). */
  loadingDelayMs?: number
  /** Health re-check interval while the backend is unreachable (ms). */
  healthRetryMs?: number
}

function errorMessage(error: unknown): string {
  if (error instanceof Error && error.message) return error.message
  return 'Something went wrong.'
}

export default function App({ api = digitsApi, debounceMs = 150, loadingDelayMs = 300, healthRetryMs = 5000 }: AppProps) {
  const [drawing, dispatch] = useReducer(drawingReducer, emptyDrawing)
  const [brushSize, setBrushSize] = useState(DEFAULT_BRUSH)
  const canvasRef = useRef<HTMLCanvasElement | null>(null)
  const predictNow = useRef(false)
  const brushId = useId()

  const health = useHealth(api, healthRetryMs)
  const { state: prediction, schedule, flush, reset } = usePrediction(api, { delay: debounceMs })
  const showLoading = useDelayedFlag(prediction.loading, loadingDelayMs)

  const empty = isEmpty(drawing)
  const strokeCount = drawing.strokes.length + (drawing.active ? 1 : 0)

  const onAction = useCallback((action: DrawingAction) => {
    // Finishing, undoing or clearing a stroke asks for a prediction right away; moving the pen
    // is debounced.
    if (action.type === 'end' || action.type === 'undo') predictNow.current = true
    dispatch(action)
  }, [])

  const undo = useCallback(() => onAction({ type: 'undo' }), [onAction])
  const clear = useCallback(() => onAction({ type: 'clear' }), [onAction])

  // Every change of the drawing (after the canvas has been repainted) triggers a prediction.
  useEffect(() => {
    if (isEmpty(drawing)) {
      predictNow.current = false
      reset()
      return
    }
    const getImage = () => canvasRef.current?.toDataURL('image/png') ?? ''
    if (predictNow.current) {
      predictNow.current = false
      flush(getImage)
    } else {
      schedule(getImage)
    }
  }, [drawing, schedule, flush, reset])

  // A failed request might mean the backend went away: let the health check decide.
  const { recheck } = health
  const unreachableError = prediction.error instanceof ApiError && prediction.error.kind === 'unreachable'
  useEffect(() => {
    if (unreachableError) recheck()
  }, [unreachableError, recheck])

  // When the backend comes back up (or gets its model), predict what is on the canvas.
  const serviceReady = health.status === 'ok' && health.health?.model_loaded !== false
  const readiness = health.status === 'checking' ? 'checking' : serviceReady ? 'ready' : 'down'
  const drawingRef = useRef(drawing)
  const previousReadiness = useRef(readiness)
  useEffect(() => {
    drawingRef.current = drawing
  })
  useEffect(() => {
    const recovered = previousReadiness.current === 'down' && readiness === 'ready'
    previousReadiness.current = readiness
    if (recovered && !isEmpty(drawingRef.current)) flush(() => canvasRef.current?.toDataURL('image/png') ?? '')
  }, [readiness, flush])

  // Keyboard: Ctrl/Cmd+Z undoes the last stroke, Escape clears.
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if ((event.ctrlKey || event.metaKey) && !event.shiftKey && !event.altKey && event.key.toLowerCase() === 'z') {
        event.preventDefault()
        undo()
      } else if (event.key === 'Escape') {
        clear()
      }
    }
    window.addEventListener('keydown', onKeyDown)
    return () => window.removeEventListener('keydown', onKeyDown)
  }, [undo, clear])

  const unreachable = health.status === 'unreachable'
  const modelMissing = health.status === 'ok' && health.health?.model_loaded === false
  const error = prediction.error ? errorMessage(prediction.error) : null

  return (
    <div className="app">
      <header className="app-header">
        <h1>
          <span className="logo" aria-hidden="true">
            7
          </span>
          digits
        </h1>
        <p className="tagline">
          Handwritten digit recognition in real time. Draw a digit and a convolutional neural network
          trained on MNIST guesses it as you write.
        </p>
      </header>

      <main className="layout" data-testid="workspace" data-pending={prediction.loading ? 'true' : 'false'}>
        <section className="card draw-card" aria-labelledby="draw-heading">
          <div className="card-header">
            <h2 id="draw-heading">Draw</h2>
            <span className="small">
              {!empty && prediction.result && !prediction.error ? (
                <span className="quick-result" data-testid="quick-result" aria-hidden="true">
                  {`Looks like ${prediction.result.digit} · `}
                </span>
              ) : null}
              <span className="muted" aria-live="polite">
                {empty ? 'Empty canvas' : `${strokeCount} ${strokeCount === 1 ? 'stroke' : 'strokes'}`}
              </span>
            </span>
          </div>
          <div className="canvas-frame">
            <DrawingCanvas drawing={drawing} brushSize={brushSize} onAction={onAction} canvasRef={canvasRef} size={CANVAS_SIZE} />
          </div>
          <div className="toolbar">
            <button type="button" onClick={undo} disabled={empty} aria-label="Undo last stroke" data-testid="undo-button" aria-keyshortcuts="Control+Z">
              Undo
            </button>
            <button
              type="button"
              className="primary"
              onClick={clear}
              disabled={empty}
              aria-label="Clear the canvas"
              data-testid="clear-button"
              aria-keyshortcuts="Escape"
            >
              Clear
            </button>
            <label className="brush" htmlFor={brushId}>
              <span>Brush</span>
              <input
                id={brushId}
                type="range"
                min={MIN_BRUSH}
                max={MAX_BRUSH}
                step={2}
                value={brushSize}
                onChange={(event) => setBrushSize(Number(event.target.value))}
                aria-label="Brush size"
                aria-valuetext={`${brushSize} pixels`}
                data-testid="brush-size"
              />
            </label>
          </div>
          <p className="muted small hint">
            <kbd>Ctrl</kbd>+<kbd>Z</kbd> undoes a stroke, <kbd>Esc</kbd> clears. The image is sent to
            the model only while something is drawn.
          </p>
        </section>

        <ResultPanel
          empty={empty}
          unreachable={unreachable}
          modelMissing={modelMissing}
          result={empty ? null : prediction.result}
          error={empty ? null : error}
          loading={showLoading}
        />
      </main>

      <footer className="app-footer muted small">
        <span data-testid="service-status">
          {health.status === 'ok'
            ? health.health?.model_loaded === false
              ? 'Service online · no model loaded'
              : `Service online · model ${health.health?.model_version ?? 'unknown'}`
            : health.status === 'checking'
              ? 'Connecting to the service…'
              : 'Service offline'}
        </span>
        <span aria-hidden="true"> · </span>
        <a href={`${import.meta.env.VITE_API_BASE_URL ?? ''}/docs`}>API docs</a>
      </footer>
    </div>
  )
}
