import { render, screen, waitFor } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { SaliencyOnDrawing, SaliencyOnInput } from './Saliency'

const map = Array.from({ length: 28 }, (_, y) => Array.from({ length: 28 }, (_, x) => (x > 10 && x < 18 && y > 4 && y < 24 ? 1 : 0)))

interface Calls {
  putImageData: unknown[][]
  setTransform: number[][]
  drawImage: unknown[][]
}

let calls: Calls

beforeEach(() => {
  calls = { putImageData: [], setTransform: [], drawImage: [] }
  // A context that records what the overlays paint; the probe of the model input sees ink in columns 9-18, rows 4-23.
  const probe = new Uint8ClampedArray(28 * 28 * 4)
  for (let y = 4; y < 24; y++) for (let x = 9; x < 19; x++) probe[(y * 28 + x) * 4] = 255
  vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockImplementation(
    () =>
      ({
        putImageData: (...args: unknown[]) => calls.putImageData.push(args),
        setTransform: (...args: number[]) => calls.setTransform.push(args),
        drawImage: (...args: unknown[]) => calls.drawImage.push(args),
        clearRect: () => {},
        getImageData: () => ({ data: probe }),
        imageSmoothingEnabled: false,
      }) as unknown as CanvasRenderingContext2D,
  )
  vi.stubGlobal(
    'ImageData',
    class {
      constructor(
        readonly data: Uint8ClampedArray,
        readonly width: number,
        readonly height: number,
      ) {}
    },
  )
  vi.stubGlobal(
    'Image',
    class {
      width = 28
      height = 28
      onload: (() => void) | null = null
      set src(_value: string) {
        setTimeout(() => this.onload?.(), 0)
      }
    },
  )
})

afterEach(() => {
  vi.unstubAllGlobals()
})

describe('saliency overlays', () => {
  it('paints the map over the 28x28 view', () => {
    render(<SaliencyOnInput saliency={map} size={84} />)
    expect(screen.getByTestId('saliency-input')).toHaveStyle({ width: '84px', height: '84px' })
    expect(calls.putImageData).toHaveLength(1)
    expect(calls.drawImage).toHaveLength(1)
  })

  it("places the map on the drawing where the model input's ink came from", async () => {
    const drawing = {
      strokes: [{ points: [{ x: 100, y: 40 }, { x: 100, y: 240 }], size: 20 }],
      active: null,
      undone: [],
    }
    render(<SaliencyOnDrawing saliency={map} inputImage="iVBORw0KGgo=" drawing={drawing} size={280} />)
    await waitFor(() => expect(calls.drawImage.length).toBeGreaterThan(0))
    // The backing store is twice the logical size; the input's ink box (9..19 x 4..24) maps onto
    // the stroke's box (90..110 x 30..250): scale 220 / 20 = 11 logical px per input pixel.
    const [a = 0, , , d = 0, e = 0, f = 0] = calls.setTransform.at(-1)!
    expect(a).toBeCloseTo(22)
    expect(d).toBeCloseTo(22)
    expect((14 * a + e) / 2).toBeCloseTo(100)
    expect((14 * d + f) / 2).toBeCloseTo(140)
  })

  it('paints nothing on an empty drawing', () => {
    render(<SaliencyOnDrawing saliency={map} inputImage="" drawing={{ strokes: [], active: null, undone: [] }} size={280} />)
    expect(calls.drawImage).toHaveLength(0)
  })
})
