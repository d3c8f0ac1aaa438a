/**
 * Accessibility gate: axe-core (through @axe-core/playwright) finds no serious or critical
 * violation on the page with an answer shown, on a desktop and a phone, light and dark.
 */
import AxeBuilder from '@axe-core/playwright'
import { expect, test } from '@playwright/test'
import { GLYPHS, drawGlyph } from './draw'

const layouts = [
  { name: 'desktop', viewport: { width: 1280, height: 800 }, isMobile: false },
  { name: 'phone', viewport: { width: 390, height: 844 }, isMobile: true },
] as const

for (const layout of layouts) {
  for (const colorScheme of ['light', 'dark'] as const) {
    test(`axe: no serious or critical violation (${layout.name}, ${colorScheme})`, async ({ browser }) => {
      const context = await browser.newContext({
        viewport: layout.viewport,
        isMobile: layout.isMobile,
        hasTouch: layout.isMobile,
        colorScheme,
      })
      const page = await context.newPage()
      await page.goto('/')
      await expect(page.getByTestId('service-status')).toContainText('Service online')
      await drawGlyph(page, page.getByTestId('draw-canvas'), GLYPHS[3]!)
      await expect(page.getByTestId('workspace')).toHaveAttribute('data-pending', 'false')
      await expect(page.getByTestId('prediction')).toBeVisible()
      const results = await new AxeBuilder({ page }).analyze()
      const blocking = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
      console.log(
        `axe ${layout.name} ${colorScheme}: ${results.violations.length} violations ` +
          `(${blocking.length} serious or critical)${blocking.map((v) => ` ${v.id}: ${v.nodes.length} nodes`).join(';')}`,
      )
      expect(blocking.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([])
      await context.close()
    })
  }
}

// The Number mode with a tapped digit: its chart, its 28x28 input and the buttons that confirm or correct it.
for (const colorScheme of ['light', 'dark'] as const) {
  test(`axe: no serious or critical violation in the Number mode with a digit's feedback shown (${colorScheme})`, async ({ browser }) => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme })
    const page = await context.newPage()
    await page.goto('/')
    await expect(page.getByTestId('service-status')).toContainText('Service online')
    await page.getByTestId('mode-number').click()
    // A 7 in the left quarter of the wide canvas.
    const seven = GLYPHS[7]!.map((stroke) => stroke.map(([u, v]) => [0.05 + 0.2 * u, v] as const))
    await drawGlyph(page, page.getByTestId('number-canvas'), seven)
    await expect(page.getByTestId('number-pad')).toHaveAttribute('data-pending', 'false')
    await page.getByTestId('digit-box-label').first().click()
    await expect(page.getByTestId('digit-detail').getByTestId('feedback-bar')).toBeVisible()
    const results = await new AxeBuilder({ page }).analyze()
    const blocking = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    console.log(`axe number ${colorScheme}: ${results.violations.length} violations (${blocking.length} serious or critical)`)
    expect(blocking.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([])
    await context.close()
  })
}
