import type { Locator, Page } from '@playwright/test'
import type { Glyph, UnitPoint } from './glyphs'

export { GLYPHS, LETTERS, smallOne, type Glyph } from './glyphs'

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
    let last = start
    for (const point of rest) {
      const next = at(point)
      // Intermediate moves about every 6 px, like a real mouse.
      const steps = Math.max(1, Math.ceil(Math.hypot(next.x - last.x, next.y - last.y) / 6))
      await page.mouse.move(next.x, next.y, { steps })
      last = next
    }
    await page.mouse.up()
  }
}

/** A DevTools session of the page, for input that Playwright's API has no call for. */
export interface CdpSession {
  send(method: 'Input.dispatchTouchEvent', params: TouchEventParams): Promise<unknown>
}

interface TouchEventParams {
  type: 'touchStart' | 'touchMove' | 'touchEnd' | 'touchCancel'
  touchPoints: { x: number; y: number; id?: number; radiusX?: number; radiusY?: number; force?: number }[]
}

/**
 * Draws `glyph` with a finger: real touch input through the DevTools protocol
 * (`Input.dispatchTouchEvent`), which Chromium turns into pointer events with pointerType
 * "touch" (Playwright's `page.touchscreen` can only tap). Needs a context with `hasTouch`.
 */
export async function drawGlyphByTouch(cdp: CdpSession, canvas: Locator, glyph: Glyph): Promise<void> {
  const box = await canvas.boundingBox()
  if (!box) throw new Error('canvas is not visible')
  const at = ([u, v]: UnitPoint) => ({ x: box.x + u * box.width, y: box.y + v * box.height })
  const finger = (p: { x: number; y: number }) => [{ ...p, id: 1, radiusX: 6, radiusY: 6, force: 1 }]
  for (const stroke of glyph) {
    const [first, ...rest] = stroke
    if (!first) continue
    let last = at(first)
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: finger(last) })
    for (const point of rest) {
      const next = at(point)
      // A touch sample about every 6 px.
      const steps = Math.max(1, Math.ceil(Math.hypot(next.x - last.x, next.y - last.y) / 6))
      for (let i = 1; i <= steps; i++) {
        const t = i / steps
        const p = { x: last.x + (next.x - last.x) * t, y: last.y + (next.y - last.y) * t }
        await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: finger(p) })
      }
      last = next
    }
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] })
  }
}
