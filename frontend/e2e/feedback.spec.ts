import { expect, test, type Page } from '@playwright/test'
import { stats, type Stats } from './feedbackStats'
import { drawGlyph, GLYPHS } from './draw'

/** A pen about a tenth of the 280 px canvas wide (as in digits.spec.ts). */
const BRUSH = '28'

async function open(page: Page) {
  await page.goto('/')
  await expect(page.getByTestId('service-status')).toContainText('Service online')
  await page.getByTestId('brush-size').fill(BRUSH)
}

async function settled(page: Page) {
  await expect(page.getByTestId('workspace')).toHaveAttribute('data-pending', 'false')
}

async function draw(page: Page, digit: number) {
  const canvas = page.getByTestId('draw-canvas')
  await canvas.scrollIntoViewIfNeeded() // the feedback card is below it: answering scrolls the page
  await drawGlyph(page, canvas, GLYPHS[digit]!)
  await settled(page)
}

test.describe('feedback', () => {
  // Several drawings each, and a reload: more than the default minute on a loaded 2-core machine.
  test.describe.configure({ timeout: 180_000 })

  test('confirm an answer, correct another, and see the stats move', async ({ page }) => {
    await open(page)
    const before = await stats(page)

    await draw(page, 3)
    await expect(page.getByTestId('prediction-digit')).toHaveText('3')
    await expect(page.getByTestId('feedback-bar')).toContainText('Is it 3?')
    await page.getByTestId('feedback-yes').click()
    await expect(page.getByTestId('feedback-done')).toHaveText('Thanks: saved as 3.')
    const confirmed = await stats(page)
    expect(confirmed.total).toBe(before.total + 1)
    expect(confirmed.by_label['3']).toBe(before.by_label['3']! + 1)

    await page.getByTestId('clear-button').click()
    await draw(page, 7)
    await expect(page.getByTestId('prediction-digit')).toHaveText('7')
    // Say it is a 1 (a correction): stored with label 1 and the model's 7.
    await page.getByTestId('feedback-digit-1').click()
    await expect(page.getByTestId('feedback-done')).toHaveText('Thanks: saved as 1.')
    const corrected = await stats(page)
    expect(corrected.total).toBe(before.total + 2)
    expect(corrected.by_label['1']).toBe(before.by_label['1']! + 1)
    // One of the two agreed with the model.
    const agreeing = (s: Stats) => Math.round((s.agreement ?? 0) * s.total)
    expect(agreeing(corrected)).toBe(agreeing(before) + 1)
    await expect(page.getByTestId('teach-count')).toHaveText('You have given 2 drawings.')
  })

  test('Teach mode asks for digits, counts them, and the off switch is remembered', async ({ page }) => {
    await open(page)
    const before = await stats(page)
    await page.getByTestId('teach-toggle').click()
    await expect(page.getByTestId('teach-prompt')).toBeVisible()

    const asked: number[] = []
    for (let round = 0; round < 2; round += 1) {
      const target = Number(await page.getByTestId('teach-target').textContent())
      asked.push(target)
      await draw(page, target)
      await page.getByTestId('teach-send').click()
      await expect(page.getByTestId('teach-count')).toHaveText(`You have given ${round + 1} ${round ? 'drawings' : 'drawing'}.`)
      await expect(page.getByTestId('input-status')).toHaveText('Empty canvas') // cleared for the next one
    }
    const next = Number(await page.getByTestId('teach-target').textContent())
    expect(next).not.toBe(asked[1])
    const after = await stats(page)
    expect(after.total).toBe(before.total + 2)
    for (const digit of new Set(asked)) {
      const times = asked.filter((d) => d === digit).length
      expect(after.by_label[String(digit)]).toBe(before.by_label[String(digit)]! + times)
    }

    await expect(page.getByTestId('feedback-notice')).toContainText('stored to improve the model')
    await page.getByTestId('feedback-switch').uncheck()
    await expect(page.getByTestId('feedback-off')).toBeVisible()
    await page.reload()
    await expect(page.getByTestId('feedback-switch')).not.toBeChecked()
    await expect(page.getByTestId('feedback-off')).toBeVisible()
    await draw(page, 5)
    await expect(page.getByTestId('feedback-bar')).toHaveCount(0)
    expect((await stats(page)).total).toBe(after.total)
    // The count of what this browser gave survives the reload too.
    await expect(page.getByTestId('teach-count')).toHaveText('You have given 2 drawings.')
  })
})
