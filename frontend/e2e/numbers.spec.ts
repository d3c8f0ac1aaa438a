import { expect, test } from '@playwright/test'
import { stats, type Stats } from './feedbackStats'
import { drawGlyph, GLYPHS, type Glyph } from './draw'
import { arc } from './glyphs'

/** The digits of `text` side by side: digit k in the k-th of `text.length` equal columns. */
function number(text: string): Glyph {
  const n = text.length
  return [...text].flatMap((c, k) =>
    GLYPHS[Number(c)]!.map((stroke) =>
      stroke.map(([u, v]) => [(k + 0.1 + 0.8 * u) / n, v] as const),
    ),
  )
}

const agreeing = (s: Stats) => Math.round((s.agreement ?? 0) * s.total)

test('a stroke that starts inside a digit already read joins it: a 4 and a 5 finished after they were read', async ({ page }) => {
  await page.goto('/')
  await expect(page.getByTestId('service-status')).toContainText('Service online')
  await page.getByTestId('mode-number').click()
  const canvas = page.getByTestId('number-canvas')
  const pad = page.getByTestId('number-pad')
  const boxes = page.getByTestId('digit-box')
  const inColumn = (k: number, stroke: Glyph[number]): Glyph => [stroke.map(([u, v]) => [(k + 0.1 + 0.8 * u) / 2, v] as const)]
  for (const [k, digit] of [4, 5].entries()) {
    const [first, last] = GLYPHS[digit]!
    await drawGlyph(page, canvas, inColumn(k, first!))
    await expect(pad).toHaveAttribute('data-pending', 'false')
    await expect(boxes).toHaveCount(k + 1) // read: its box now lies over the canvas
    // The 4's long down-stroke and the 5's flag start inside that box.
    await drawGlyph(page, canvas, inColumn(k, last!))
    await expect(pad).toHaveAttribute('data-pending', 'false')
  }
  await expect(page.getByTestId('number-value')).toHaveText('45')
  await expect(boxes).toHaveCount(2)
})

test('a 9 written as a loop and a slanted stem that touches it reads 9, not 0 and 1', async ({ page }) => {
  await page.goto('/')
  await expect(page.getByTestId('service-status')).toContainText('Service online')
  await page.getByTestId('mode-number').click()
  const canvas = page.getByTestId('number-canvas')
  // The loop, then its stem from the loop's right side slanting down and away: the stem overlaps
  // the loop too little to be grouped with it, but their inks touch.
  const loop = arc(0.3, 0.32, 0.075, 0.22, 0, 360)
  const stem = [[0.375, 0.32], [0.42, 0.9]] as const
  const pad = page.getByTestId('number-pad')
  await drawGlyph(page, canvas, [loop])
  await expect(pad).toHaveAttribute('data-pending', 'false')
  await expect(page.getByTestId('number-value')).toHaveText('0') // the loop alone, read before the stem
  await page.waitForTimeout(500) // the pen lifted a while: a stroke drawn at once would join the loop anyway
  await drawGlyph(page, canvas, [stem])
  await expect(pad).toHaveAttribute('data-pending', 'false')
  await expect(page.getByTestId('number-value')).toHaveText('9')
  await expect(page.getByTestId('digit-box')).toHaveCount(1)
})

test('writes 2026 with the mouse in the Number mode and reads it, a box over each digit', async ({ page }) => {
  await page.goto('/')
  await expect(page.getByTestId('service-status')).toContainText('Service online')
  await page.getByTestId('mode-number').click()
  const canvas = page.getByTestId('number-canvas')
  await expect(canvas).toBeVisible()
  await drawGlyph(page, canvas, number('2026'))
  const pad = page.getByTestId('number-pad')
  await expect(pad).toHaveAttribute('data-pending', 'false')
  await expect(page.getByTestId('number-value')).toHaveText('2026')
  const boxes = page.getByTestId('digit-box')
  await expect(boxes).toHaveCount(4)
  // Boxes left to right, each over its own quarter of the canvas.
  const canvasBox = (await canvas.boundingBox())!
  for (let k = 0; k < 4; k++) {
    const box = (await boxes.nth(k).boundingBox())!
    const centre = (box.x + box.width / 2 - canvasBox.x) / canvasBox.width
    expect(centre).toBeGreaterThan(k / 4)
    expect(centre).toBeLessThan((k + 1) / 4)
  }
  await expect(boxes.nth(0)).toHaveAttribute('aria-label', /Digit 1: 2\b/)
  // Tapping a digit shows its probabilities and the 28x28 image the model saw.
  await boxes.nth(3).getByTestId('digit-box-label').click()
  await expect(page.getByTestId('digit-detail')).toBeVisible()
  await expect(page.getByTestId('digit-detail').getByTestId('probability-chart')).toBeVisible()
  const size = await page
    .getByTestId('digit-input-image')
    .evaluate((img: HTMLImageElement) => [img.naturalWidth, img.naturalHeight])
  expect(size).toEqual([28, 28])

  // Feedback per digit, stored through the real API: confirm the last digit, correct the first.
  const before = await stats(page)
  const detail = page.getByTestId('digit-detail')
  await expect(detail.getByRole('group', { name: 'Is digit 4 right?' })).toContainText('Is it 6?')
  await detail.getByTestId('feedback-yes').click()
  await expect(detail.getByTestId('feedback-done')).toHaveText('Thanks: saved as 6.')
  await expect(boxes.nth(3)).toHaveAttribute('data-feedback', 'confirmed')
  const confirmed = await stats(page)
  expect(confirmed.total).toBe(before.total + 1)
  expect(confirmed.by_label['6']).toBe((before.by_label['6'] ?? 0) + 1)
  expect(agreeing(confirmed)).toBe(agreeing(before) + 1)

  await boxes.nth(0).getByTestId('digit-box-label').click()
  await detail.getByRole('button', { name: 'It is 7' }).click()
  await expect(detail.getByTestId('feedback-done')).toHaveText('Thanks: saved as 7.')
  await expect(boxes.nth(0)).toHaveAttribute('data-feedback', 'corrected')
  await expect(boxes.nth(0)).toHaveAttribute('aria-label', /corrected to 7$/)
  const corrected = await stats(page)
  expect(corrected.total).toBe(before.total + 2)
  expect(corrected.by_label['7']).toBe((before.by_label['7'] ?? 0) + 1)
  expect(agreeing(corrected)).toBe(agreeing(before) + 1) // the 2 read, saved as 7: a disagreement

  await page.getByTestId('number-clear').click()
  await expect(page.getByTestId('number-prompt')).toBeVisible()
})

test('the labels of digits written close together do not overlap: 2011, its two 1s a label apart', async ({ page }) => {
  await page.goto('/')
  await expect(page.getByTestId('service-status')).toContainText('Service online')
  await page.getByTestId('mode-number').click()
  const canvas = page.getByTestId('number-canvas')
  // A 2 and a 0 a digit's width apart, then two upright 1s about 50 px apart (of 840).
  const two = GLYPHS[2]!.map((stroke) => stroke.map(([u, v]) => [0.2 + 0.16 * u, v] as const))
  const zero = GLYPHS[0]!.map((stroke) => stroke.map(([u, v]) => [0.4 + 0.16 * u, v] as const))
  await drawGlyph(page, canvas, [...two, ...zero, [[0.62, 0.2], [0.61, 0.8]], [[0.68, 0.2], [0.67, 0.8]]])
  await expect(page.getByTestId('number-pad')).toHaveAttribute('data-pending', 'false')
  await expect(page.getByTestId('number-value')).toHaveText('2011')
  const labels = await page.getByTestId('digit-box-label').all()
  const rects = await Promise.all(labels.map(async (label) => (await label.boundingBox())!))
  for (let i = 0; i < rects.length; i++) {
    for (let j = i + 1; j < rects.length; j++) {
      const [a, b] = [rects[i]!, rects[j]!]
      const apart = a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y
      expect(apart, `labels ${i + 1} and ${j + 1} overlap`).toBe(true)
    }
  }
  // The second 1's label went under its box, inside the pad.
  await expect(page.getByTestId('digit-box').nth(3)).toHaveClass(/label-below/)
  const pad = (await canvas.boundingBox())!
  expect(rects[3]!.y + rects[3]!.height).toBeLessThanOrEqual(pad.y + pad.height)
})

test('two digits drawn side by side in the Digit mode: a hint takes them to the Number mode, which reads 12', async ({ page }) => {
  await page.goto('/')
  await expect(page.getByTestId('service-status')).toContainText('Service online')
  const canvas = page.getByTestId('draw-canvas')
  const one = GLYPHS[1]!.map((stroke) => stroke.map(([u, v]) => [0.1 + 0.35 * u, v] as const))
  const two = GLYPHS[2]!.map((stroke) => stroke.map(([u, v]) => [0.55 + 0.35 * u, v] as const))
  await expect(page.getByTestId('number-hint')).toHaveCount(0)
  await drawGlyph(page, canvas, one)
  await expect(page.getByTestId('number-hint')).toHaveCount(0) // one digit: no hint
  await drawGlyph(page, canvas, two)
  await expect(page.getByTestId('number-hint')).toBeVisible()
  await page.getByTestId('read-as-number').click()
  await expect(page.getByTestId('mode-number')).toHaveAttribute('aria-pressed', 'true')
  await expect(page.getByTestId('number-pad')).toHaveAttribute('data-pending', 'false')
  await expect(page.getByTestId('number-value')).toHaveText('12')
  await expect(page.getByTestId('digit-box')).toHaveCount(2)
  // The pad keeps writing after the carried strokes: a 3 to their right.
  const three = GLYPHS[3]!.map((stroke) => stroke.map(([u, v]) => [0.68 + 0.1 * u, v] as const))
  await drawGlyph(page, page.getByTestId('number-canvas'), three)
  await expect(page.getByTestId('number-pad')).toHaveAttribute('data-pending', 'false')
  await expect(page.getByTestId('number-value')).toHaveText('123')
})
