import { useEffect, useRef } from 'react'
import { gridToCanvas, heatPixels, inkBox, pixelBox } from '../lib/saliency'
import type { Drawing } from '../lib/strokes'

type Map28 = readonly (readonly number[])[]

/** A 28x28 canvas holding the heat map (the source both overlays scale). */
function heatCanvas(saliency: Map28): HTMLCanvasElement | null {
  const canvas = document.createElement('canvas')
  canvas.width = saliency.length
  canvas.height = saliency.length
  const ctx = canvas.getContext('2d')
  if (!ctx || typeof ImageData === 'undefined') return null
  ctx.putImageData(new ImageData(heatPixels(saliency), saliency.length, saliency.length), 0, 0)
  return canvas
}

/** The saliency over the 28x28 view of what the model saw, pixel for pixel. */
export function SaliencyOnInput({ saliency, size }: { saliency: Map28; size: number }) {
  const ref = useRef<HTMLCanvasElement | null>(null)
  useEffect(() => {
    const target = ref.current
    const ctx = target?.getContext('2d')
    const heat = heatCanvas(saliency)
    if (!target || !ctx || !heat) return
    ctx.clearRect(0, 0, target.width, target.height)
    ctx.drawImage(heat, 0, 0)
  }, [saliency])
  return (
    <canvas
      ref={ref}
      className="saliency-input"
      data-testid="saliency-input"
      width={saliency.length}
      height={saliency.length}
      style={{ width: size, height: size }}
      aria-hidden="true"
    />
  )
}

/**
 * The saliency over the drawing: the 28x28 grid is placed on the canvas where the preprocessing
 * took the ink from (the ink's box in `inputImage`, the model's input, onto the ink's box of the
 * drawing), so the warm areas sit on the strokes that drove the answer.
 */
export function SaliencyOnDrawing({
  saliency,
  inputImage,
  drawing,
  size,
}: {
  saliency: Map28
  /** The model's input as base64 PNG (`input_image`). */
  inputImage: string
  drawing: Drawing
  /** Logical side of the drawing canvas. */
  size: number
}) {
  const ref = useRef<HTMLCanvasElement | null>(null)
  useEffect(() => {
    const target = ref.current
    const ctx = target?.getContext('2d')
    const heat = heatCanvas(saliency)
    const canvasBox = inkBox(drawing)
    if (!target || !ctx || !heat || !canvasBox) return
    let cancelled = false
    const input = new Image()
    input.onload = () => {
      if (cancelled) return
      const probe = document.createElement('canvas')
      probe.width = input.width
      probe.height = input.height
      const probeCtx = probe.getContext('2d')
      if (!probeCtx) return
      probeCtx.drawImage(input, 0, 0)
      const box = pixelBox(probeCtx.getImageData(0, 0, input.width, input.height).data, input.width, input.height)
      if (!box) return
      const scale = target.width / size
      const [a, b, c, d, e, f] = gridToCanvas(box, canvasBox)
      ctx.setTransform(1, 0, 0, 1, 0, 0)
      ctx.clearRect(0, 0, target.width, target.height)
      ctx.setTransform(a * scale, b, c, d * scale, e * scale, f * scale)
      ctx.imageSmoothingEnabled = true
      ctx.drawImage(heat, 0, 0)
    }
    input.src = `data:image/png;base64,${inputImage}`
    return () => {
      cancelled = true
    }
  }, [saliency, inputImage, drawing, size])
  return <canvas ref={ref} className="saliency-drawing" data-testid="saliency-drawing" width={size * 2} height={size * 2} aria-hidden="true" />
}
