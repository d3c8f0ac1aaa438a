import { useEffect, useLayoutEffect, useRef, useState, type PointerEvent as ReactPointerEvent, type RefObject } from 'react'
import { renderDrawing, type Drawing, type DrawingAction, type Point } from '../lib/strokes'

export const CANVAS_SIZE = 280
export const CANVAS_BACKGROUND = '#ffffff'
export const CANVAS_INK = '#111111'

export interface DrawingCanvasProps {
  drawing: Drawing
  brushSize: number
  onAction: (action: DrawingAction) => void
  /** Receives the canvas element (the parent exports the drawing from it). */
  canvasRef?: RefObject<HTMLCanvasElement | null>
  /** Logical (CSS px) side length of the square canvas. */
  size?: number
}

function useDevicePixelRatio(): number {
  const [dpr, setDpr] = useState(() => (typeof window === 'undefined' ? 1 : window.devicePixelRatio || 1))
  useEffect(() => {
    // Fires when the window moves to a screen with another density or the page is zoomed.
    const media = window.matchMedia?.(`(resolution: ${dpr}dppx)`)
    if (!media) return
    const update = () => setDpr(window.devicePixelRatio || 1)
    media.addEventListener('change', update)
    return () => media.removeEventListener('change', update)
  }, [dpr])
  return dpr
}

/**
 * A square drawing surface driven by Pointer Events, so mouse, pen and touch all work.
 * It renders `drawing` and reports what the user does as DrawingActions; it keeps no
 * drawing state of its own.
 */
export function DrawingCanvas({ drawing, brushSize, onAction, canvasRef, size = CANVAS_SIZE }: DrawingCanvasProps) {
  const ownRef = useRef<HTMLCanvasElement | null>(null)
  const localRef = canvasRef ?? ownRef
  const activePointer = useRef<number | null>(null)
  const dpr = useDevicePixelRatio()
  const backing = Math.round(size * dpr)

  useLayoutEffect(() => {
    const canvas = localRef.current
    const ctx = canvas?.getContext('2d')
    if (!canvas || !ctx) return
    renderDrawing(ctx, drawing, {
      width: size,
      height: size,
      scale: canvas.width / size,
      background: CANVAS_BACKGROUND,
      ink: CANVAS_INK,
    })
  }, [drawing, size, backing, localRef])

  /** Maps a pointer position to logical canvas coordinates, whatever the CSS size of the canvas,
   * with the event's time (ms, `Event.timeStamp`): the strokes sent as feedback carry real times. */
  const toPoint = (event: { clientX: number; clientY: number; timeStamp: number }): Point => {
    const rect = localRef.current!.getBoundingClientRect()
    const sx = rect.width > 0 ? size / rect.width : 1
    const sy = rect.height > 0 ? size / rect.height : 1
    return { x: (event.clientX - rect.left) * sx, y: (event.clientY - rect.top) * sy, t: event.timeStamp }
  }

  /** Ends the stroke of this pointer: released, or taken away by the browser (what was drawn stays). */
  const finish = (event: ReactPointerEvent<HTMLCanvasElement>) => {
    if (activePointer.current !== event.pointerId) return
    activePointer.current = null
    const canvas = event.currentTarget
    if (canvas.hasPointerCapture?.(event.pointerId)) canvas.releasePointerCapture(event.pointerId)
    onAction({ type: 'end' })
  }

  return (
    <canvas
      ref={localRef}
      className="draw-canvas"
      data-testid="draw-canvas"
      width={backing}
      height={backing}
      style={{ width: '100%', maxWidth: size * 2, height: 'auto', aspectRatio: '1 / 1', touchAction: 'none' }}
      role="img"
      aria-label="Drawing area: draw a single digit from 0 to 9 with the mouse, a pen or your finger"
      onPointerDown={(event) => {
        if (event.pointerType === 'mouse' && event.button !== 0) return
        // Ignore a second finger while a stroke is in progress.
        if (activePointer.current !== null) return
        event.preventDefault()
        activePointer.current = event.pointerId
        event.currentTarget.setPointerCapture?.(event.pointerId)
        onAction({ type: 'begin', point: toPoint(event), size: brushSize })
      }}
      onPointerMove={(event) => {
        if (activePointer.current !== event.pointerId) return
        event.preventDefault()
        const native = event.nativeEvent
        // Coalesced events carry all the intermediate positions of a fast stroke.
        const samples = typeof native.getCoalescedEvents === 'function' ? native.getCoalescedEvents() : []
        const points = (samples.length > 0 ? samples : [event]).map(toPoint)
        onAction({ type: 'extend', points })
      }}
      onPointerUp={(event) => {
        if (activePointer.current !== event.pointerId) return
        onAction({ type: 'extend', points: [toPoint(event)] })
        finish(event)
      }}
      // The browser took the pointer away (e.g. a system gesture): keep what was drawn.
      onPointerCancel={(event) => finish(event)}
      onLostPointerCapture={(event) => finish(event)}
      onContextMenu={(event) => event.preventDefault()}
    />
  )
}
