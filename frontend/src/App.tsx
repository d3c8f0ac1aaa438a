import { useRef, useState } from 'react'
import { digitsApi, type DigitsApi } from './api/client'
import { feedbackApi, type FeedbackApi } from './api/feedback'
import { CompareView } from './components/CompareView'
import { DrawCard } from './components/DrawCard'
import { CANVAS_SIZE } from './components/DrawingCanvas'
import { ExampleGallery } from './components/ExampleGallery'
import { FeedbackPanel } from './components/FeedbackPanel'
import { DropOverlay } from './components/ImageInput'
import { ModelPicker } from './components/ModelPicker'
import { NUMBER_CANVAS_HEIGHT, NUMBER_CANVAS_WIDTH, NumberPad } from './components/NumberPad'
import { ResultPanel } from './components/ResultPanel'
import { ServiceStatus } from './components/ServiceStatus'
import { useDelayedFlag } from './hooks/useDelayedFlag'
import { useExamples } from './hooks/useExamples'
import { useFileDrop } from './hooks/useFileDrop'
import { useInput } from './hooks/useInput'
import { useKeyboardShortcuts } from './hooks/useKeyboardShortcuts'
import { useLivePrediction } from './hooks/useLivePrediction'
import { useModelChoice } from './hooks/useModelChoice'
import { usePredictNow } from './hooks/usePredictNow'
import { useService } from './hooks/useService'
import { useServiceRecovery } from './hooks/useServiceRecovery'
import { exampleStore, type ExampleStore } from './lib/examples'
import { errorMessage } from './lib/format'
import { toTimedDrawing, type TimedDrawing } from './lib/numberDrawing'

export interface AppProps {
  api?: DigitsApi
  /** Where feedback (confirmations, corrections, Teach mode) is sent. */
  feedback?: FeedbackApi
  /** Where the example gallery comes from. */
  examples?: ExampleStore
  /** Shortest time between the starts of two live prediction requests while drawing (ms). */
  minIntervalMs?: number
  /** How long a request may run before a loading indicator appears (ms). */
  loadingDelayMs?: number
  /** How long a request may run before it is called slow (ms). */
  slowAfterMs?: number
  /** First health re-check after the backend became unreachable (ms); it doubles after each failure. */
  healthRetryMs?: number
  /** The longest wait between two health checks while the backend is unreachable (ms). */
  healthMaxRetryMs?: number
}

/** The page: the input (drawing or image), the answer, the model picker, the comparison, the examples. */
export default function App({
  api = digitsApi,
  feedback = feedbackApi,
  examples = exampleStore,
  minIntervalMs = 80,
  loadingDelayMs = 300,
  slowAfterMs = 3000,
  healthRetryMs = 1000,
  healthMaxRetryMs = 8000,
}: AppProps) {
  const canvasRef = useRef<HTMLCanvasElement | null>(null)
  const [mode, setMode] = useState<'digit' | 'number'>('digit')
  /** The strokes the Number mode starts with: those of the Digit mode, when taken there by its hint. */
  const [carried, setCarried] = useState<TimedDrawing | undefined>(undefined)
  const switchMode = (next: 'digit' | 'number', drawing?: TimedDrawing) => {
    setCarried(drawing)
    setMode(next)
  }
  const predictNow = usePredictNow()
  const service = useService(api, healthRetryMs, healthMaxRetryMs)
  const modelList = service.models.list
  const exampleList = useExamples(examples)
  const input = useInput(examples, predictNow)
  const choice = useModelChoice(modelList, predictNow)
  const [explain, setExplain] = useState(false)
  const { single, comparison } = useLivePrediction({
    api,
    drawing: input.drawing,
    image: input.image,
    canvasRef,
    model: choice.selected,
    compareKey: choice.compareKey,
    explain,
    predictNow,
    enabled: service.ready,
    minIntervalMs,
  })
  useServiceRecovery({ recheck: service.recheck, predictionError: single.error })
  useKeyboardShortcuts(input)
  const dragging = useFileDrop(input.showFile)
  // Timed per request: a stream of quick answers is neither "loading" nor "slow".
  const showLoading = useDelayedFlag(single.loading, loadingDelayMs, single.requestId)
  const slow = useDelayedFlag(single.loading, slowAfterMs, single.requestId)

  const { empty, image } = input
  const error = single.error ? errorMessage(single.error) : null
  const result = empty ? null : single.result
  /** An answer for the current input is still to come (the e2e tests wait for it). */
  const pending = single.loading || single.queued || comparison.loading || comparison.queued

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

      <nav className="mode-switch" aria-label="Mode">
        <button type="button" aria-pressed={mode === 'digit'} onClick={() => switchMode('digit')} data-testid="mode-digit">
          Digit
        </button>
        <button type="button" aria-pressed={mode === 'number'} onClick={() => switchMode('number')} data-testid="mode-number">
          Number
        </button>
      </nav>

      {mode === 'number' ? (
        <main className="main">
          <NumberPad model={choice.selected} minIntervalMs={minIntervalMs} initialDrawing={carried} />
        </main>
      ) : (
      <main className="main" data-testid="workspace" data-pending={pending ? 'true' : 'false'}>
        <div className="layout">
          <DrawCard
            input={input}
            canvasRef={canvasRef}
            result={result}
            error={error}
            dragging={dragging}
            explain={explain}
            onExplainChange={setExplain}
            onReadAsNumber={() =>
              switchMode('number', toTimedDrawing(input.drawing, CANVAS_SIZE, NUMBER_CANVAS_WIDTH, NUMBER_CANVAS_HEIGHT))
            }
          />
          <ResultPanel
            empty={empty}
            unreachable={service.status === 'unreachable'}
            modelMissing={service.modelMissing}
            result={result}
            error={empty ? null : error}
            loading={showLoading}
            slow={slow}
            input={image ? 'image' : 'drawing'}
          >
            <ModelPicker
              models={service.models}
              selected={choice.selected}
              onSelect={choice.select}
              compare={choice.compare}
              onCompareChange={choice.setCompare}
            />
          </ResultPanel>
        </div>

        <FeedbackPanel api={feedback} input={input} canvasRef={canvasRef} result={result} />

        {choice.compare && modelList ? (
          <CompareView
            models={modelList.models}
            answers={empty ? null : comparison.result}
            loading={comparison.loading}
            error={empty || !comparison.error ? null : errorMessage(comparison.error)}
            empty={empty}
            selected={choice.selected ?? modelList.default ?? ''}
          />
        ) : null}

        <ExampleGallery examples={exampleList} store={examples} active={image?.example ?? null} onPick={input.showExample} />
      </main>
      )}

      <footer className="app-footer muted small">
        <ServiceStatus status={service.status} health={service.health} />
        <span aria-hidden="true"> · </span>
        <a href={`${import.meta.env.VITE_API_BASE_URL ?? ''}/docs`}>API docs</a>
      </footer>
    </div>
  )
}
