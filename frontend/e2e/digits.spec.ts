import { expect, test, type Page } from '@playwright/test'
import { drawGlyph, GLYPHS } from './draw'

const SCREENSHOTS = 'test-results/screenshots'

/** Waits until no prediction request is in flight, so what is shown belongs to the final drawing. */
async function settled(page: Page) {
  await expect(page.getByTestId('workspace')).toHaveAttribute('data-pending', 'false')
}

async function open(page: Page) {
  await page.goto('/')
  await expect(page.getByRole('heading', { name: 'digits' })).toBeVisible()
  // The SPA reached the backend through the preview server's proxy.
  await expect(page.getByTestId('service-status')).toContainText('Service online')
  await expect(page.getByTestId('prompt')).toHaveText(/Draw a digit 0–9/)
}

test.describe('digit recognition', () => {
  for (const digit of [7, 1, 0, 3] as const) {
    test(`recognises a hand-drawn ${digit}`, async ({ page }) => {
      await open(page)
      const canvas = page.getByTestId('draw-canvas')
      await drawGlyph(page, canvas, GLYPHS[digit])
      await settled(page)

      await expect(page.getByTestId('prediction-digit')).toHaveText(String(digit))
      await expect(page.getByTestId('confidence')).toHaveText(/^\d{1,3}\.\d%$/)
      const chart = page.getByTestId('probability-chart')
      await expect(chart).toBeVisible()
      await expect(chart.locator('.recharts-bar-rectangle')).toHaveCount(10)
      const input = page.getByTestId('model-input-image')
      await expect(input).toBeVisible()
      await expect
        .poll(() => input.evaluate((img: HTMLImageElement) => [img.naturalWidth, img.naturalHeight]))
        .toEqual([28, 28])
      await page.screenshot({ path: `${SCREENSHOTS}/digit-${digit}.png`, fullPage: true })
    })
  }

  test('clear returns to the prompt; undo removes the last stroke', async ({ page }) => {
    await open(page)
    const canvas = page.getByTestId('draw-canvas')
    await drawGlyph(page, canvas, GLYPHS[1])
    await expect(page.getByTestId('prediction-digit')).toBeVisible()

    await page.getByTestId('clear-button').click()
    await expect(page.getByTestId('prompt')).toHaveText(/Draw a digit 0–9/)
    await expect(page.getByTestId('prediction-digit')).toHaveCount(0)

    await drawGlyph(page, canvas, GLYPHS[7])
    await settled(page)
    await expect(page.getByTestId('prediction-digit')).toHaveText('7')
    await page.keyboard.press('Control+z')
    await expect(page.getByTestId('prompt')).toBeVisible()

    await drawGlyph(page, canvas, GLYPHS[0])
    await settled(page)
    await expect(page.getByTestId('prediction-digit')).toHaveText('0')
    await page.keyboard.press('Escape')
    await expect(page.getByTestId('prompt')).toBeVisible()
  })

  test('works on a phone-sized screen', async ({ page }) => {
    await page.setViewportSize({ width: 375, height: 740 })
    await open(page)
    const canvas = page.getByTestId('draw-canvas')
    const box = await canvas.boundingBox()
    expect(box!.x).toBeGreaterThanOrEqual(0)
    expect(box!.x + box!.width).toBeLessThanOrEqual(375)
    // No horizontal scrolling.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375)
    await drawGlyph(page, canvas, GLYPHS[7])
    await settled(page)
    await expect(page.getByTestId('prediction-digit')).toHaveText('7')
    await page.screenshot({ path: `${SCREENSHOTS}/phone.png`, fullPage: true })
  })

  test('says so when the recognition service is not reachable', async ({ page }) => {
    // Simulate the backend going away: the API calls fail at the network level.
    await page.route(/\/(health|predict)$/, (route) => route.abort('connectionrefused'))
    await page.goto('/')
    await expect(page.getByTestId('service-unreachable')).toHaveText(
      /The recognition service is not reachable\. Start it with make run\./,
    )
    await page.screenshot({ path: `${SCREENSHOTS}/unreachable.png`, fullPage: true })
  })
})
