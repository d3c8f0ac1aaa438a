import { useCallback, useEffect, useId, useReducer, useRef, useState } from 'react'
import { ApiError, digitsApi, type DigitsApi, type Prediction } from './api/client'
import { CompareView } from './components/CompareView'
import { CANVAS_SIZE, DrawingCanvas } from './components/DrawingCanvas'
import { ExampleGallery } from './components/ExampleGallery'
import { DropOverlay, DropZone, ImagePreview } from './components/ImageInput'
import { ModelPicker } from './components/ModelPicker'
import { ResultPanel } from './components/ResultPanel'
import { useDelayedFlag } from './hooks/useDelayedFlag'
import { useExamples } from './hooks/useExamples'
import { useFileDrop } from './hooks/useFileDrop'
import { useHealth } from './hooks/useHealth'
import { useLatestRequest } from './hooks/useLatestRequest'
import { useModels } from './hooks/useModels'
import { compareModels, type ModelAnswer } from './lib/compare'
import { exampleStore, type Example, type ExampleStore } from './lib/examples'
import { runnerUp } from './lib/format'
import { canRedo, canUndo, drawingReducer, emptyDrawing, isEmpty, type DrawingAction } from './lib/strokes'

export const DEFAULT_BRUSH = 22
export const MIN_BRUSH = 8
export const MAX_BRUSH = 40

export interface AppProps {
  api?: DigitsApi
  /** Where the example gallery comes from. */
  examples?: ExampleStore
  /** Debounce before a prediction request (ms). */
  debounceMs?: number
  /** How long a request may run before a loading indicator appears (ms). */
  loadingDelayMs?: number
  /** How long a request may run before it is called slow (ms). */
  slowAfterMs?: number
  /** Health re-check interval while the backend is unreachable (ms). */
  healthRetryMs?: number
}

/** An image file or example shown (and recognised) instead of the drawing. */
interface ImageSource {
  /** Where the browser shows it from. */
  src: string
  /** `src` is an object URL of ours, to be revoked. */
  ownsSrc: boolean
  caption: string
  /** The example's file, when it is one. */
  example: string | null
  /** The image bytes to send. */
  getBlob: () => Promise<Blob>
}

function errorMessage(error: unknown): string {
  if (error instanceof Error && error.message) return error.message
  return 'Something went wrong.'
}

function isEditable(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false
  if (target.isContentEditable || target instanceof HTMLTextAreaElement) return true
  return target instanceof HTMLInputElement && !['range', 'checkbox', 'radio', 'button', 'file'].includes(target.type)
}

export default function App({
  api = digitsApi,
  examples = exampleStore,
  debounceMs = 150,
  loadingDelayMs = 300,
  slowAfterMs = 3000,
  healthRetryMs = 5000,
}: AppProps) {
  const [drawing, dispatch] = useReducer(drawingReducer, emptyDrawing)
  const [image, setImage] = useState<ImageSource | null>(null)
  const [brushSize, setBrushSize] = useState(DEFAULT_BRUSH)
  const [selectedModel, setSelectedModel] = useState<string | null>(null)
  const [compare, setCompare] = useState(false)
  const [retry, setRetry] = useState(0)
  const canvasRef = useRef<HTMLCanvasElement | null>(null)
  /** The next prediction goes out at once instead of debounced. */
  const predictNow = useRef(false)
  const brushId = useId()

  const health = useHealth(api, healthRetryMs)
  const serviceReady = health.status === 'ok' && health.health?.model_loaded !== false
  const models = useModels(api, serviceReady)
  const exampleList = useExamples(examples)
  const single = useLatestRequest<Prediction>({ delay: debounceMs })
  const comparison = useLatestRequest<ModelAnswer[]>({ delay: debounceMs })
  const prediction = single.state
  const showLoading = useDelayedFlag(prediction.loading, loadingDelayMs)
  const slow = useDelayedFlag(prediction.loading, slowAfterMs)

  const drawingEmpty = isEmpty(drawing)
  const empty = drawingEmpty && image === null
  const strokeCount = drawing.strokes.length + (drawing.active ? 1 : 0)
  const modelList = models.list
  const defaultModel = modelList?.default ?? null
  /** The model names to compare; '' while comparing is off (so the list arriving changes nothing). */
  const compareKey = compare && modelList ? modelList.models.map((m) => m.name).join('\n') : ''

  const onAction = useCallback((action: DrawingAction) => {
    // Finishing, undoing or redoing a stroke asks for a prediction right away; moving the pen
    // is debounced.
    if (action.type === 'end' || action.type === 'undo' || action.type === 'redo') predictNow.current = true
    dispatch(action)
  }, [])

  const undo = useCallback(() => onAction({ type: 'undo' }), [onAction])
  const redo = useCallback(() => onAction({ type: 'redo' }), [onAction])
  const clear = useCallback(() => {
    setImage(null)
    onAction({ type: 'clear' })
  }, [onAction])

  const showImage = useCallback((next: ImageSource) => {
    predictNow.current = true
    dispatch({ type: 'clear' })
    setImage(next)
  }, [])

  const onFile = useCallback(
    (file: File) =>
      showImage({
        src: URL.createObjectURL(file),
        ownsSrc: true,
        caption: file.name || 'Dropped image',
        example: null,
        getBlob: async () => file,
      }),
    [showImage],
  )

  const onExample = useCallback(
    (example: Example) => {
      let cached: Promise<Blob> | null = null
      showImage({
        src: examples.url(example),
        ownsSrc: false,
        caption: `MNIST test image ${example.mnist_test_index}, labelled ${example.label}`,
        example: example.file,
        getBlob: () => {
          // Fetched once (the comparison sends it to every model); a failed fetch is retried.
          cached ??= examples.image(example).catch((error: unknown) => {
            cached = null
            throw error
          })
          return cached
        },
      })
    },
    [examples, showImage],
  )

  // An object URL lives as long as its image is shown.
  useEffect(() => {
    if (!image?.ownsSrc) return
    const src = image.src
    return () => URL.revokeObjectURL(src)
  }, [image])

  const dragging = useFileDrop(onFile)

  const { flush: flushOne, schedule: scheduleOne, reset: resetOne } = single
  const { flush: flushAll, schedule: scheduleAll, reset: resetAll } = comparison

  // Every change of the input (after the canvas has been repainted), of the model or of the
  // comparison switch sends the input again; nothing is sent while there is no input.
  useEffect(() => {
    if (image === null && isEmpty(drawing)) {
      predictNow.current = false
      resetOne()
      resetAll()
      return
    }
    const now = predictNow.current
    predictNow.current = false
    const captureDrawing = () => canvasRef.current?.toDataURL('image/png') ?? ''
    const send = (model: string | null, signal: AbortSignal, drawn?: string): Promise<Prediction> =>
      image
        ? image.getBlob().then((blob) => api.predictFile(blob, { model, signal }))
        : api.predict(drawn ?? captureDrawing(), { model, signal })

    const one = (signal: AbortSignal) => send(selectedModel, signal)
    if (now) flushOne(one)
    else scheduleOne(one)

    if (compareKey === '') {
      resetAll()
      return
    }
    const names = compareKey.split('\n')
    const all = (signal: AbortSignal) => {
      // Every model gets the very same image.
      const drawn = image ? undefined : captureDrawing()
      return compareModels(names, (model, s) => send(model, s, drawn), signal)
    }
    if (now) flushAll(all)
    else scheduleAll(all)
  }, [drawing, image, selectedModel, compareKey, retry, api, flushOne, scheduleOne, resetOne, flushAll, scheduleAll, resetAll])

  // A failed request might mean the backend went away: let the health check decide.
  const { recheck } = health
  const unreachableError = prediction.error instanceof ApiError && prediction.error.kind === 'unreachable'
  useEffect(() => {
    if (unreachableError) recheck()
  }, [unreachableError, recheck])

  // When the backend comes back up (or gets its model), predict the input again.
  const readiness = health.status === 'checking' ? 'checking' : serviceReady ? 'ready' : 'down'
  const previousReadiness = useRef(readiness)
  useEffect(() => {
    const recovered = previousReadiness.current === 'down' && readiness === 'ready'
    previousReadiness.current = readiness
    if (recovered) {
      predictNow.current = true
      setRetry((n) => n + 1)
    }
  }, [readiness])

  // Keyboard: Ctrl/Cmd+Z undoes the last stroke, Ctrl/Cmd+Shift+Z or Ctrl/Cmd+Y redoes it,
  // Escape clears.
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.defaultPrevented || isEditable(event.target)) return
      const key = event.key.toLowerCase()
      const mod = (event.ctrlKey || event.metaKey) && !event.altKey
      if (mod && key === 'z' && !event.shiftKey) {
        event.preventDefault()
        undo()
      } else if (mod && ((key === 'z' && event.shiftKey) || (key === 'y' && !event.shiftKey))) {
        event.preventDefault()
        redo()
      } else if (event.key === 'Escape') {
        clear()
      }
    }
    window.addEventListener('keydown', onKeyDown)
    return () => window.removeEventListener('keydown', onKeyDown)
  }, [undo, redo, clear])

  const selectModel = useCallback((name: string) => {
    predictNow.current = true
    setSelectedModel(name)
  }, [])
  const toggleCompare = useCallback((on: boolean) => {
    predictNow.current = true
    setCompare(on)
  }, [])

  const unreachable = health.status === 'unreachable'
  const modelMissing = health.status === 'ok' && health.health?.model_loaded === false
  const error = prediction.error ? errorMessage(prediction.error) : null
  const result = empty ? null : prediction.result
  const pending = prediction.loading || comparison.state.loading

  let status: string
  if (image) status = image.example ? 'Example image' : 'Your image'
  else if (drawingEmpty) status = 'Empty canvas'
  else status = `${strokeCount} ${strokeCount === 1 ? 'stroke' : 'strokes'}`

  return (
    <div className="app">
      {dragging ? <DropOverlay /> : null}
      <header className="app-header">
        <h1>
          <span className="logo" aria-hidden="true">
            7
          </span>
          digits
        </h1>
        <p className="tagline">
          Handwritten digit recognition in real time. Draw a digit, drop a photo of one or pick an
          example, and neural networks trained on MNIST read it as you write.
        </p>
      </header>

      <main className="main" data-testid="workspace" data-pending={pending ? 'true' : 'false'}>
        <div className="layout">
          <section className="card draw-card" aria-labelledby="draw-heading">
            <div className="card-header">
              <h2 id="draw-heading">{image ? 'Image' : 'Draw'}</h2>
              <span className="small">
                {result && !error ? (
                  <span className="quick-result" data-testid="quick-result" aria-hidden="true">
                    {result.uncertain
                      ? `Maybe ${result.digit} or ${runnerUp(result.probabilities, result.digit)} · `
                      : `Looks like ${result.digit} · `}
                  </span>
                ) : null}
                <span className="muted" aria-live="polite" data-testid="input-status">
                  {status}
                </span>
              </span>
            </div>
            <div className="canvas-frame">
              {image ? (
                <ImagePreview key={image.src} src={image.src} caption={image.caption} size={CANVAS_SIZE} />
              ) : (
                <DrawingCanvas drawing={drawing} brushSize={brushSize} onAction={onAction} canvasRef={canvasRef} size={CANVAS_SIZE} />
              )}
            </div>
            <div className="toolbar">
              <button
                type="button"
                onClick={undo}
                disabled={image !== null || !canUndo(drawing)}
                aria-label="Undo last stroke"
                data-testid="undo-button"
                aria-keyshortcuts="Control+Z"
              >
                Undo
              </button>
              <button
                type="button"
                onClick={redo}
                disabled={image !== null || !canRedo(drawing)}
                aria-label="Redo stroke"
                data-testid="redo-button"
                aria-keyshortcuts="Control+Shift+Z Control+Y"
              >
                Redo
              </button>
              <button
                type="button"
                className="primary"
                onClick={clear}
                disabled={empty}
                aria-label={image ? 'Remove the image and draw' : 'Clear the canvas'}
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
                  disabled={image !== null}
                  onChange={(event) => setBrushSize(Number(event.target.value))}
                  aria-label="Brush size"
                  aria-valuetext={`${brushSize} pixels`}
                  data-testid="brush-size"
                />
              </label>
            </div>
            <p className="muted small hint">
              <kbd>Ctrl</kbd>+<kbd>Z</kbd> undo, <kbd>Ctrl</kbd>+<kbd>Y</kbd> redo, <kbd>Esc</kbd> clear.
              Nothing is sent while the canvas is empty.
            </p>
            <DropZone onFile={onFile} dragging={dragging} />
          </section>

          <ResultPanel
            empty={empty}
            unreachable={unreachable}
            modelMissing={modelMissing}
            result={result}
            error={empty ? null : error}
            loading={showLoading}
            slow={slow}
            input={image ? 'image' : 'drawing'}
          >
            <ModelPicker
              models={models}
              selected={selectedModel}
              onSelect={selectModel}
              compare={compare}
              onCompareChange={toggleCompare}
            />
          </ResultPanel>
        </div>

        {compare && modelList ? (
          <CompareView
            models={modelList.models}
            answers={empty ? null : comparison.state.result}
            loading={comparison.state.loading}
            error={empty || !comparison.state.error ? null : errorMessage(comparison.state.error)}
            empty={empty}
            selected={selectedModel ?? defaultModel ?? ''}
          />
        ) : null}

        <ExampleGallery examples={exampleList} store={examples} active={image?.example ?? null} onPick={onExample} />
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
