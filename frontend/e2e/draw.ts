import type { Locator, Page } from '@playwright/test'

/** A point in canvas units: 0..1 from the left/top edge of the drawing area. */
export type UnitPoint = readonly [number, number]
/** A digit as pen strokes; each stroke is a polyline in canvas units. */
export type Glyph = readonly (readonly UnitPoint[])[]

function ellipse(cx: number, cy: number, rx: number, ry: number, from = -90, to = 270, steps = 40): UnitPoint[] {
  const points: UnitPoint[] = []
  for (let i = 0; i <= steps; i++) {
    const a = ((from + ((to - from) * i) / steps) * Math.PI) / 180
    points.push([cx + rx * Math.cos(a), cy + ry * Math.sin(a)])
  }
  return points
}

/**
 * Digits drawn the way people write them on paper: one digit about 60% of the canvas high,
 * centred, with natural slants (MNIST-style).
 */
export const GLYPHS = {
  // A slightly slanted single down-stroke.
  1: [
    [
      [0.53, 0.2],
      [0.5, 0.5],
      [0.47, 0.8],
    ],
  ],
  // A top bar and a long diagonal.
  7: [
    [
      [0.3, 0.22],
      [0.5, 0.21],
      [0.7, 0.21],
      [0.62, 0.38],
      [0.53, 0.58],
      [0.45, 0.8],
    ],
  ],
  // An upright oval, closed.
  0: [ellipse(0.5, 0.5, 0.19, 0.3, -100, 265)],
  // Two bowls, open to the left.
  3: [[...ellipse(0.48, 0.34, 0.16, 0.14, -160, 90, 24), ...ellipse(0.48, 0.64, 0.18, 0.16, -90, 150, 28)]],
} satisfies Record<number, Glyph>

/** Draws `glyph` on the canvas with the mouse, stroke by stroke, with many intermediate moves. */
export async function drawGlyph(page: Page, canvas: Locator, glyph: Glyph): Promise<void> {
  const box = await canvas.boundingBox()
  if (!box) throw new Error('canvas is not visible')
  const at = ([u, v]: UnitPoint) => ({ x: box.x + u * box.width, y: box.y + v * box.height })
  for (const stroke of glyph) {
    const [first, ...rest] = stroke
    if (!first) continue
    const start = at(first)
    await page.mouse.move(start.x, start.y)
    await page.mouse.down()
    for (const point of rest) {
      const { x, y } = at(point)
      await page.mouse.move(x, y, { steps: 6 })
    }
    await page.mouse.up()
  }
}
