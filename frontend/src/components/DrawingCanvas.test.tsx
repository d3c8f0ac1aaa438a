import { fireEvent, render, screen } from '@testing-library/react'
import { describe, expect, it, vi } from 'vitest'
import { emptyDrawing } from '../lib/strokes'
import { DrawingCanvas } from './DrawingCanvas'

function setup() {
  const onAction = vi.fn()
  render(<DrawingCanvas drawing={emptyDrawing} brushSize={20} onAction={onAction} size={280} />)
  const canvas = screen.getByTestId('draw-canvas')
  // Shown at half size, 10 px from the left and 20 px from the top of the viewport.
  vi.spyOn(canvas, 'getBoundingClientRect').mockReturnValue(DOMRect.fromRect({ x: 10, y: 20, width: 140, height: 140 }))
  return { canvas, onAction }
}

describe('DrawingCanvas', () => {
  it('is labelled and does not let touch scroll the page', () => {
    setup()
    const canvas = screen.getByRole('img', { name: /draw a single digit/i })
    expect(canvas).toHaveClass('draw-canvas')
    expect(canvas.style.touchAction).toBe('none')
  })

  it('maps pointer positions to canvas coordinates, whatever its displayed size', () => {
    const { canvas, onAction } = setup()
    fireEvent.pointerDown(canvas, { pointerId: 3, pointerType: 'pen', button: 0, clientX: 80, clientY: 90 })
    const t = expect.any(Number) as number // the event's timeStamp: the strokes carry real times
    expect(onAction).toHaveBeenLastCalledWith({ type: 'begin', point: { x: 140, y: 140, t }, size: 20 })
    fireEvent.pointerMove(canvas, { pointerId: 3, pointerType: 'pen', clientX: 10, clientY: 160 })
    expect(onAction).toHaveBeenLastCalledWith({ type: 'extend', points: [{ x: 0, y: 280, t }] })
    fireEvent.pointerUp(canvas, { pointerId: 3, pointerType: 'pen', clientX: 10, clientY: 160 })
    expect(onAction).toHaveBeenLastCalledWith({ type: 'end' })
  })

  it('ignores moves without a pressed pointer, right clicks and a second finger', () => {
    const { canvas, onAction } = setup()
    fireEvent.pointerMove(canvas, { pointerId: 1, pointerType: 'mouse', clientX: 50, clientY: 50 })
    fireEvent.pointerDown(canvas, { pointerId: 1, pointerType: 'mouse', button: 2, clientX: 50, clientY: 50 })
    expect(onAction).not.toHaveBeenCalled()

    fireEvent.pointerDown(canvas, { pointerId: 7, pointerType: 'touch', button: 0, clientX: 50, clientY: 50 })
    fireEvent.pointerDown(canvas, { pointerId: 8, pointerType: 'touch', button: 0, clientX: 60, clientY: 60 })
    fireEvent.pointerMove(canvas, { pointerId: 8, pointerType: 'touch', clientX: 70, clientY: 70 })
    expect(onAction).toHaveBeenCalledTimes(1)
  })

  it('ends the stroke when the browser cancels the pointer', () => {
    const { canvas, onAction } = setup()
    fireEvent.pointerDown(canvas, { pointerId: 5, pointerType: 'touch', button: 0, clientX: 50, clientY: 50 })
    fireEvent.pointerCancel(canvas, { pointerId: 5, pointerType: 'touch' })
    expect(onAction).toHaveBeenLastCalledWith({ type: 'end' })
    // A later cancel for the same pointer does nothing.
    fireEvent.pointerCancel(canvas, { pointerId: 5, pointerType: 'touch' })
    expect(onAction).toHaveBeenCalledTimes(2)
  })

  it('sizes its backing store for the device pixel ratio', () => {
    const ratio = vi.spyOn(window, 'devicePixelRatio', 'get').mockReturnValue(2)
    render(<DrawingCanvas drawing={emptyDrawing} brushSize={20} onAction={vi.fn()} size={280} />)
    const canvas = screen.getByTestId('draw-canvas') as HTMLCanvasElement
    expect(canvas.width).toBe(560)
    expect(canvas.height).toBe(560)
    ratio.mockRestore()
  })
})
