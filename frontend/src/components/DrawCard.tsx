import { useId, useState, type RefObject } from 'react'
import type { Prediction } from '../api/client'
import type { Input } from '../hooks/useInput'
import { modifierKeyLabel } from '../hooks/useKeyboardShortcuts'
import { formatPercent, runnerUp } from '../lib/format'
import { sideBySideGroups } from '../lib/numberDrawing'
import { canRedo, canUndo, isEmpty } from '../lib/strokes'
import { CANVAS_SIZE, DrawingCanvas } from './DrawingCanvas'
import { DropZone, ImagePreview } from './ImageInput'
import { MiniBars } from './MiniBars'
import { SaliencyOnDrawing } from './Saliency'

export const DEFAULT_BRUSH = 22
export const MIN_BRUSH = 8
export const MAX_BRUSH = 40

export interface DrawCardProps {
  input: Input
  /** Receives the canvas (the drawing is exported from it). */
  canvasRef: RefObject<HTMLCanvasElement | null>
  /** The answer for the current input, if any. */
  result: Prediction | null
  /** Why the latest request failed, if it did. */
  error: string | null
  /** Files are being dragged over the page. */
  dragging: boolean
  /** Whether answers come with their saliency map (shown over the drawing). */
  explain?: boolean
  onExplainChange?: (explain: boolean) => void
  /** Takes the drawing to the Number mode: offered when it holds digits side by side. */
  onReadAsNumber?: () => void
}

/**
 * The answer beside the canvas, for small screens where the result panel is below the fold:
 * the reading, its confidence and a compact chart stay in view while drawing.
 */
function LiveAnswer({ result }: { result: Prediction }) {
  const reading =
    result.verdict === 'not_a_digit'
      ? 'Not a digit'
      : result.verdict === 'uncertain'
        ? `Maybe ${result.digit} or ${runnerUp(result.probabilities, result.digit)}`
        : `Looks like ${result.digit}`
  return (
    <div className="live-answer" data-testid="live-answer" aria-hidden="true" data-verdict={result.verdict}>
      <span className="live-digit" data-testid="live-digit">
        {result.verdict === 'not_a_digit' ? '×' : result.digit}
      </span>
      <span className="live-text">
        <span className="quick-result" data-testid="quick-result">
          {reading}
        </span>
        <span className="live-confidence" data-testid="live-confidence">
          {formatPercent(result.confidence)}
        </span>
      </span>
      <MiniBars probabilities={result.probabilities} digit={result.digit} muted={result.verdict === 'not_a_digit'} />
    </div>
  )
}

function inputStatus({ drawing, image }: Input): string {
  if (image) return image.example ? 'Example image' : 'Your image'
  if (isEmpty(drawing)) return 'Empty canvas'
  const strokes = drawing.strokes.length + (drawing.active ? 1 : 0)
  return `${strokes} ${strokes === 1 ? 'stroke' : 'strokes'}`
}

/** The input: the canvas with its toolbar (undo, redo, clear, brush), or the image shown instead. */
export function DrawCard({
  input,
  canvasRef,
  result,
  error,
  dragging,
  explain = false,
  onExplainChange,
  onReadAsNumber,
}: DrawCardProps) {
  const { drawing, image, empty, onAction, undo, redo, clear, showFile } = input
  const severalDigits = !image && drawing.active === null && sideBySideGroups(drawing.strokes) >= 2
  const [brushSize, setBrushSize] = useState(DEFAULT_BRUSH)
  const brushId = useId()
  const [mod] = useState(() => modifierKeyLabel())
  const keyName = mod === 'Ctrl' ? 'Control' : 'Meta'

  return (
    <section className="card draw-card" aria-labelledby="draw-heading">
      <div className="card-header">
        <h2 id="draw-heading">{image ? 'Image' : 'Draw'}</h2>
        <span className="muted small" aria-live="polite" data-testid="input-status">
          {inputStatus(input)}
        </span>
      </div>
      {/* Always there (empty until an answer comes), so the canvas never moves under the pen. */}
      {result && !error ? (
        <LiveAnswer result={result} />
      ) : (
        <div className="live-answer is-empty" aria-hidden="true">
          <span className="muted small">{image ? 'Reading the image…' : 'Your digit is read as you draw.'}</span>
        </div>
      )}
      <div className="canvas-frame">
        {image ? (
          <ImagePreview key={image.src} src={image.src} caption={image.caption} size={CANVAS_SIZE} />
        ) : (
          <>
            <DrawingCanvas drawing={drawing} brushSize={brushSize} onAction={onAction} canvasRef={canvasRef} size={CANVAS_SIZE} />
            {explain && result?.saliency && !error ? (
              <SaliencyOnDrawing saliency={result.saliency} inputImage={result.input_image} drawing={drawing} size={CANVAS_SIZE} />
            ) : null}
          </>
        )}
      </div>
      <div className="toolbar">
        <button
          type="button"
          onClick={undo}
          disabled={image !== null || !canUndo(drawing)}
          aria-label={isEmpty(drawing) && !image && canUndo(drawing) ? 'Undo clear' : 'Undo last stroke'}
          data-testid="undo-button"
          aria-keyshortcuts={`${keyName}+Z`}
        >
          Undo
        </button>
        <button
          type="button"
          onClick={redo}
          disabled={image !== null || !canRedo(drawing)}
          aria-label="Redo stroke"
          data-testid="redo-button"
          aria-keyshortcuts={`${keyName}+Shift+Z ${keyName}+Y`}
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
      {severalDigits && onReadAsNumber ? (
        <p className="number-hint" data-testid="number-hint">
          <span>Several digits side by side? This mode reads one digit.</span>
          <button type="button" onClick={onReadAsNumber} data-testid="read-as-number">
            Read them as a number
          </button>
        </p>
      ) : null}
      {onExplainChange ? (
        <label className="switch explain-switch">
          <input
            type="checkbox"
            role="switch"
            checked={explain}
            onChange={(event) => onExplainChange(event.target.checked)}
            data-testid="explain-switch"
          />
          <span>Show what drove the answer</span>
        </label>
      ) : null}
      <p className="muted small hint">
        <kbd>{mod}</kbd>+<kbd>Z</kbd> undo, <kbd>{mod}</kbd>+<kbd>Shift</kbd>+<kbd>Z</kbd> redo,{' '}
        <kbd>Esc</kbd> clear ({mod}+Z brings it back). Nothing is sent while the canvas is empty.
      </p>
      <DropZone onFile={showFile} dragging={dragging} />
    </section>
  )
}
