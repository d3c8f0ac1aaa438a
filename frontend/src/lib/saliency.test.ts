import { describe, expect, it } from 'vitest'
import { gridToCanvas, heatPixels, inkBox, pixelBox } from './saliency'
import { emptyDrawing } from './strokes'

describe('saliency overlays', () => {
  it('colours each value with an opacity that grows with it; zero stays transparent', () => {
    const map = Array.from({ length: 28 }, () => Array.from({ length: 28 }, () => 0))
    map[3]![4] = 1
    map[5]![6] = 0.5
    const pixels = heatPixels(map)
    expect(pixels).toHaveLength(28 * 28 * 4)
    const alpha = (x: number, y: number) => pixels[(y * 28 + x) * 4 + 3]!
    expect(alpha(0, 0)).toBe(0)
    expect(alpha(4, 3)).toBeGreaterThan(alpha(6, 5))
    expect(alpha(6, 5)).toBeGreaterThan(0)
  })

  it('finds the ink of a drawing (brush included) and of an image', () => {
    expect(inkBox(emptyDrawing)).toBeNull()
    const drawing = { ...emptyDrawing, strokes: [{ points: [{ x: 50, y: 60 }, { x: 150, y: 200 }], size: 20 }] }
    expect(inkBox(drawing)).toEqual({ x0: 40, y0: 50, x1: 160, y1: 210 })
    const rgba = new Uint8ClampedArray(28 * 28 * 4)
    rgba[(10 * 28 + 12) * 4] = 255
    rgba[(20 * 28 + 15) * 4] = 255
    expect(pixelBox(rgba, 28, 28)).toEqual({ x0: 12, y0: 10, x1: 16, y1: 21 })
    expect(pixelBox(new Uint8ClampedArray(16), 2, 2)).toBeNull()
  })

  it('maps the ink box of the 28x28 input onto the ink box of the canvas', () => {
    const [a, , , d, e, f] = gridToCanvas({ x0: 9, y0: 4, x1: 19, y1: 24 }, { x0: 100, y0: 40, x1: 150, y1: 140 })
    expect(a).toBe(5)
    expect(d).toBe(5)
    // Corners land on corners (same aspect ratio here).
    expect(9 * a + e).toBe(100)
    expect(24 * d + f).toBe(140)
  })
})
