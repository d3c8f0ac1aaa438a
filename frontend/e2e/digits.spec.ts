import { readFileSync } from 'node:fs'
import { expect, test, type Locator, type Page } from '@playwright/test'
import { drawGlyph, drawGlyphByTouch, GLYPHS, LETTERS, smallOne } from './draw'

interface Manifest {
  examples: { file: string; label: number; mnist_test_index: number }[]
}
const manifest = JSON.parse(readFileSync('public/examples/manifest.json', 'utf8')) as Manifest

const SCREENSHOTS = 'test-results/screenshots'
/** The README's screenshot; written only when DOCS_SCREENSHOT=1 (it is committed). */
const DOCS_SCREENSHOT = '../docs/screenshot.png'
/** A pen about a tenth of the 280 px canvas wide, like a thick marker on paper. */
const BRUSH = '28'
const DIGITS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] as const

/**
 * Waits until what is shown belongs to the final input: the workspace's `data-pending` is
 * "true" from the moment the input changes (a debounced request waiting for its turn included)
 * until the answer to the latest request has arrived.
 */
async function settled(page: Page) {
  await expect(page.getByTestId('workspace')).toHaveAttribute('data-pending', 'false')
}

/** Opens the app; sets the e2e pen (`BRUSH`) unless `defaultBrush` keeps the app's own. */
async function open(page: Page, { defaultBrush = false } = {}) {
  await page.goto('/')
  await expect(page.getByRole('heading', { name: 'digits' })).toBeVisible()
  // The SPA reached the backend through the preview server's proxy.
  await expect(page.getByTestId('service-status')).toContainText('Service online')
  await expect(page.getByTestId('prompt')).toHaveText(/Draw a digit 0–9/)
  if (defaultBrush) return
  await page.getByTestId('brush-size').fill(BRUSH)
  await expect(page.getByTestId('brush-size')).toHaveAttribute('aria-valuetext', `${BRUSH} pixels`)
}

type Verdict = 'digit' | 'uncertain' | 'not_a_digit'

interface Reading {
  verdict: Verdict
  /** The digit shown (verdict "digit") or the leading candidate (verdict "uncertain"); '' for "not_a_digit". */
  digit: string
  /** How it reads on the page, for the log: "7 (98.1%; …)", "uncertain: maybe 4 (48.0%) or 9; …", "not a digit (…)". */
  text: string
}

/** Reads the answer shown for the current input, whatever its verdict; records instead of failing. */
async function readAnswer(page: Page): Promise<Reading> {
  await settled(page)
  const prediction = page.getByTestId('prediction')
  await expect(prediction).toHaveAttribute('data-verdict', /^(digit|uncertain|not_a_digit)$/)
  const verdict = (await prediction.getAttribute('data-verdict')) as Verdict
  // The service's not-a-digit score, for the log.
  const score = `not-a-digit score ${Number(await prediction.getAttribute('data-not-a-digit')).toFixed(3)}`
  const confidence = async () => (await page.getByTestId('confidence').textContent()) ?? ''
  if (verdict === 'digit') {
    const digit = page.getByTestId('prediction-digit')
    await expect(digit).toHaveText(/^\d$/)
    const read = (await digit.textContent()) ?? ''
    return { verdict, digit: read, text: `${read} (${await confidence()}; ${score})` }
  }
  if (verdict === 'uncertain') {
    const [first, second] = await page.getByTestId('candidate-digit').allTextContents()
    return { verdict, digit: first ?? '', text: `uncertain: maybe ${first} (${await confidence()}) or ${second}; ${score}` }
  }
  return { verdict, digit: '', text: `not a digit (${score})` }
}

/** The answer shown is the digit `digit`, read with the verdict "digit". */
async function expectDigit(page: Page, digit: string) {
  const { verdict, digit: read, text } = await readAnswer(page)
  expect({ verdict, digit: read }, `expected ${digit}, the page says: ${text}`).toEqual({ verdict: 'digit', digit })
}

async function expectChart(page: Page) {
  const chart = page.getByTestId('probability-chart')
  await expect(chart).toBeVisible()
  await expect(chart.locator('.recharts-bar-rectangle')).toHaveCount(10)
  const input = page.getByTestId('model-input-image')
  await expect(input).toBeVisible()
  await expect.poll(() => input.evaluate((img: HTMLImageElement) => [img.naturalWidth, img.naturalHeight])).toEqual([28, 28])
}

/** Draws every digit with `draw`, clearing in between; returns the misread ones. */
async function drawAllDigits(
  page: Page,
  label: string,
  draw: (digit: number) => Promise<void>,
  after?: (digit: number, read: boolean) => Promise<void>,
): Promise<string[]> {
  const misread: string[] = []
  for (const digit of DIGITS) {
    await draw(digit)
    const { verdict, digit: read, text } = await readAnswer(page)
    console.log(`${label}: drew ${digit}, read ${text}`)
    // Only a digit read as such counts: "maybe 4 or 9" and "not a digit" are not readings.
    const right = verdict === 'digit' && read === String(digit)
    if (!right) misread.push(`${digit} read as ${text}`)
    await page.getByTestId('draw-canvas').screenshot({ path: `${SCREENSHOTS}/${label}-digit-${digit}.png` })
    await after?.(digit, right)
    await page.getByTestId('clear-button').click()
    await expect(page.getByTestId('prompt')).toBeVisible()
  }
  console.log(`${label}: ${DIGITS.length - misread.length}/${DIGITS.length} read right${misread.length ? `; misread: ${misread.join(', ')}` : ''}`)
  return misread
}

async function dropFile(page: Page, target: Locator, path: string, name: string, type = 'image/png') {
  const base64 = readFileSync(path).toString('base64')
  const dataTransfer = await page.evaluateHandle(
    ({ base64, name, type }) => {
      const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))
      const transfer = new DataTransfer()
      transfer.items.add(new File([bytes], name, { type }))
      return transfer
    },
    { base64, name, type },
  )
  await target.dispatchEvent('dragenter', { dataTransfer })
  await target.dispatchEvent('dragover', { dataTransfer })
  await expect(page.getByTestId('drop-overlay')).toBeVisible()
  await page.screenshot({ path: `${SCREENSHOTS}/dragging.png` })
  await target.dispatchEvent('drop', { dataTransfer })
  await expect(page.getByTestId('drop-overlay')).toHaveCount(0)
}

test.describe('drawing', () => {
  test('reads each digit 0-9 drawn with the mouse', async ({ page }) => {
    test.setTimeout(180_000)
    await open(page)
    const canvas = page.getByTestId('draw-canvas')
    const misread = await drawAllDigits(
      page,
      'mouse',
      (digit) => drawGlyph(page, canvas, GLYPHS[digit]!),
      async (digit, read) => {
        if (digit !== 3 || !read) return
        await expectChart(page)
        await page.screenshot({ path: `${SCREENSHOTS}/desktop-3.png` })
        if (process.env.DOCS_SCREENSHOT === '1') await page.screenshot({ path: DOCS_SCREENSHOT })
      },
    )
    expect(DIGITS.length - misread.length, `misread: ${misread.join(', ')}`).toBeGreaterThanOrEqual(9)
  })

  test.describe('on a phone, with a finger', () => {
    test.use({ viewport: { width: 375, height: 740 }, hasTouch: true, isMobile: true, deviceScaleFactor: 2 })

    test('reads each digit 0-9 drawn by touch, without scrolling the page', async ({ page }) => {
      test.setTimeout(180_000)
      await open(page)
      // The page fits the phone's width: no horizontal scrolling.
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375)
      const canvas = page.getByTestId('draw-canvas')
      await canvas.scrollIntoViewIfNeeded()
      const box = (await canvas.boundingBox())!
      expect(box.x).toBeGreaterThanOrEqual(0)
      expect(box.x + box.width).toBeLessThanOrEqual(375)
      // Record what kind of pointer the canvas sees, and whether the page scrolls.
      await canvas.evaluate((element) => {
        const seen = new Set<string>()
        ;(window as unknown as { pointerTypes: Set<string> }).pointerTypes = seen
        element.addEventListener('pointerdown', (event) => seen.add((event as PointerEvent).pointerType))
      })
      const scrollY = await page.evaluate(() => window.scrollY)

      const cdp = await page.context().newCDPSession(page)
      const misread = await drawAllDigits(page, 'touch', async (digit) => {
        await drawGlyphByTouch(cdp, canvas, GLYPHS[digit]!)
        // Drawing downwards with a finger must not have scrolled the page.
        expect(await page.evaluate(() => window.scrollY)).toBe(scrollY)
      }, async (digit) => {
        if (digit === 4) await page.screenshot({ path: `${SCREENSHOTS}/phone-4.png`, fullPage: true })
      })
      expect(await page.evaluate(() => [...(window as unknown as { pointerTypes: Set<string> }).pointerTypes])).toEqual([
        'touch',
      ])
      expect(DIGITS.length - misread.length, `misread: ${misread.join(', ')}`).toBeGreaterThanOrEqual(9)
    })
  })

  test("says that a big X and a W drawn with the mouse don't look like a digit", async ({ page }) => {
    test.setTimeout(90_000)
    await open(page, { defaultBrush: true })
    const canvas = page.getByTestId('draw-canvas')
    // readAnswer waited for the final answer: what is shown now stays.
    const now = { timeout: 2_000 }
    for (const [letter, glyph] of Object.entries(LETTERS)) {
      await drawGlyph(page, canvas, glyph)
      const { text } = await readAnswer(page)
      console.log(`letter ${letter} (default brush): ${text}`)
      await page.screenshot({ path: `${SCREENSHOTS}/letter-${letter}.png` })
      // Soft: the other letter is still drawn and reported when one is not refused.
      await expect.soft(page.getByTestId('prediction'), `letter ${letter}: ${text}`).toHaveAttribute('data-verdict', 'not_a_digit', now)
      await expect.soft(page.getByTestId('not-a-digit'), `letter ${letter}: ${text}`).toContainText("That doesn't look like a digit", now)
      await expect.soft(page.getByTestId('prediction-digit'), `letter ${letter}: ${text}`).toHaveCount(0, now)
      await expect.soft(page.getByTestId('announcement'), `letter ${letter}: ${text}`).toHaveText("That doesn't look like a digit.", now)
      await page.getByTestId('clear-button').click()
      await expect(page.getByTestId('prompt')).toBeVisible()
    }
  })

  test('reads a small 1 drawn near a corner with the default brush', async ({ page }) => {
    await open(page, { defaultBrush: true })
    const canvas = page.getByTestId('draw-canvas')
    const box = (await canvas.boundingBox())!
    // A short vertical stroke, 40 px tall, near the top left corner.
    await drawGlyph(page, canvas, smallOne(40, box.height))
    const reading = await readAnswer(page)
    console.log(`small 1 (40 px, default brush): ${reading.text}`)
    await canvas.screenshot({ path: `${SCREENSHOTS}/small-1.png` })
    await expectDigit(page, '1')
  })

  test('undo, redo and clear', async ({ page }) => {
    await open(page)
    const canvas = page.getByTestId('draw-canvas')
    const status = page.getByTestId('input-status')
    const undo = page.getByRole('button', { name: 'Undo last stroke' })
    const redo = page.getByRole('button', { name: 'Redo stroke' })
    const digit = page.getByTestId('prediction-digit')

    // A 4 in two strokes.
    await drawGlyph(page, canvas, GLYPHS[4]!)
    await expect(status).toHaveText('2 strokes')
    await expectDigit(page, '4')
    await expect(redo).toBeDisabled()

    await undo.click()
    await expect(status).toHaveText('1 stroke')
    await settled(page)
    await canvas.screenshot({ path: `${SCREENSHOTS}/undo-one-stroke.png` })
    await expect(redo).toBeEnabled()

    await redo.click()
    await expect(status).toHaveText('2 strokes')
    await expect(redo).toBeDisabled()
    await expectDigit(page, '4')

    // Keyboard: Ctrl+Z twice empties the canvas, Ctrl+Shift+Z and Ctrl+Y bring the strokes back.
    await page.keyboard.press('Control+z')
    await page.keyboard.press('Control+z')
    await expect(page.getByTestId('prompt')).toBeVisible()
    await expect(undo).toBeDisabled()
    await page.keyboard.press('Control+Shift+z')
    await expect(status).toHaveText('1 stroke')
    await page.keyboard.press('Control+y')
    await expect(status).toHaveText('2 strokes')
    await expectDigit(page, '4')

    // A new stroke after an undo: nothing left to redo.
    await page.keyboard.press('Control+z')
    await drawGlyph(page, canvas, [GLYPHS[4]![1]!])
    await expect(status).toHaveText('2 strokes')
    await expect(redo).toBeDisabled()

    // Clear (button) and Escape return to the prompt; undo brings the drawing back.
    await page.getByTestId('clear-button').click()
    await expect(page.getByTestId('prompt')).toBeVisible()
    await expect(digit).toHaveCount(0)
    await expect(redo).toBeDisabled()
    await page.getByRole('button', { name: 'Undo clear' }).click()
    await expect(status).toHaveText('2 strokes')
    await expectDigit(page, '4')
    await page.getByTestId('clear-button').click()
    await expect(page.getByTestId('prompt')).toBeVisible()

    await drawGlyph(page, canvas, GLYPHS[7]!)
    await expectDigit(page, '7')
    // Escape belongs to a form control that has focus (here the model list): the drawing stays.
    await page.getByRole('combobox', { name: 'Model' }).focus()
    await page.keyboard.press('Escape')
    await expect(status).toHaveText('1 stroke')
    await page.getByRole('combobox', { name: 'Model' }).blur()
    await page.keyboard.press('Escape')
    await expect(page.getByTestId('prompt')).toBeVisible()
    await expect(status).toHaveText('Empty canvas')
    await page.keyboard.press('Control+z')
    await expect(status).toHaveText('1 stroke')
  })
})

test.describe('images', () => {
  const seven = manifest.examples.find((e) => e.label === 7)!
  const two = manifest.examples.find((e) => e.label === 2)!

  test('recognises an image file chosen with the file input and one dropped onto the page', async ({ page, request }) => {
    await open(page)
    await page.getByTestId('file-input').setInputFiles(`public/examples/${seven.file}`)
    await expect(page.getByTestId('image-preview')).toBeVisible()
    await expect(page.getByTestId('image-caption')).toHaveText(seven.file)
    await expect(page.getByTestId('draw-canvas')).toHaveCount(0)
    await expectDigit(page, '7')
    await expectChart(page)
    await page.screenshot({ path: `${SCREENSHOTS}/upload.png`, fullPage: true })

    await dropFile(page, page.getByTestId('drop-zone'), `public/examples/${two.file}`, 'dropped-two.png')
    await expect(page.getByTestId('image-caption')).toHaveText('dropped-two.png')
    await expectDigit(page, '2')

    // Back to drawing.
    await page.getByRole('button', { name: 'Remove the image and draw' }).click()
    await expect(page.getByTestId('draw-canvas')).toBeVisible()
    await expect(page.getByTestId('prompt')).toBeVisible()

    // A file that is not an image: the service refuses it (400, invalid_image) and the page says so in words.
    const notes = { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not a digit') }
    const direct = await request.post(`http://127.0.0.1:${process.env.E2E_API_PORT ?? 8765}/predict/upload`, { multipart: { file: notes } })
    expect(direct.status()).toBe(400)
    const { detail } = (await direct.json()) as { detail: string }
    await page.getByTestId('file-input').setInputFiles(notes)
    await expect(page.getByTestId('prediction-error')).toContainText('Could not recognise the image.')
    await expect(page.getByTestId('prediction-error')).toContainText("That file isn't an image the service can read.")
    await expect(page.getByTestId('image-broken')).toBeVisible()
    console.log(`upload of a text file: ${detail}`)
    await page.screenshot({ path: `${SCREENSHOTS}/upload-error.png`, fullPage: true })
  })

  test('every example of the gallery is recognised with one click', async ({ page }) => {
    test.setTimeout(120_000)
    await open(page)
    const examples = page.getByTestId('example')
    await expect(examples).toHaveCount(manifest.examples.length)
    const wrong: string[] = []
    for (const [i, example] of manifest.examples.entries()) {
      const button = examples.nth(i)
      await button.click()
      await expect(button).toHaveAttribute('aria-pressed', 'true')
      await expect(page.getByTestId('image-caption')).toHaveText(
        `MNIST test image ${example.mnist_test_index}, labelled ${example.label}`,
      )
      const { verdict, digit, text } = await readAnswer(page)
      if (verdict !== 'digit' || digit !== String(example.label)) wrong.push(`${example.file} (${example.label}) read as ${text}`)
    }
    console.log(`examples: ${manifest.examples.length - wrong.length}/${manifest.examples.length} read right ${wrong.join(', ')}`)
    await page.screenshot({ path: `${SCREENSHOTS}/example.png`, fullPage: true })
    expect(wrong).toEqual([])
  })
})

test.describe('models', () => {
  test('the picker lists the service models; comparing shows every model side by side', async ({ page, request }) => {
    const list = (await (await request.get(`http://127.0.0.1:${process.env.E2E_API_PORT ?? 8765}/models`)).json()) as {
      default: string
      models: { name: string }[]
    }
    const names = list.models.map((m) => m.name)
    expect(names.length).toBeGreaterThanOrEqual(2)

    await open(page)
    const select = page.getByRole('combobox', { name: 'Model' })
    await expect(select).toHaveValue(list.default)
    await expect(select.locator('option')).toHaveCount(names.length)
    const other = names.find((n) => n !== list.default)!
    await select.selectOption(other)
    await expect(page.getByTestId('model-details')).not.toHaveText(/Loading/)

    const canvas = page.getByTestId('draw-canvas')
    await drawGlyph(page, canvas, GLYPHS[7]!)
    await expectDigit(page, '7')
    await expect(page.getByTestId('model-version')).toContainText(`Answered by ${other}`)

    await page.getByRole('switch', { name: 'Compare all models' }).check()
    const items = page.getByTestId('compare-item')
    await expect(items).toHaveCount(names.length)
    await settled(page)
    const answers: string[] = []
    let sevens = 0
    for (const [i, name] of names.entries()) {
      const item = items.nth(i)
      await expect(item).toHaveAttribute('data-model', name)
      await expect(item.getByTestId('compare-latency')).toHaveText(/^\d+(\.\d+)? (ms|s)$/)
      await expect(item.getByTestId('mini-bars').locator('.mini-bar')).toHaveCount(10)
      await expect(item).toHaveAttribute('data-verdict', /^(digit|uncertain|not_a_digit)$/)
      const verdict = await item.getAttribute('data-verdict')
      const read = verdict === 'digit' ? await item.getByTestId('compare-digit').textContent() : verdict
      answers.push(`${name}: ${read} (${await item.getByTestId('compare-latency').textContent()})`)
      if (read === '7') sevens++
    }
    console.log(`compare: ${answers.join('; ')}`)
    // Several models answered, and they read the 7 as such.
    expect(sevens).toBeGreaterThanOrEqual(Math.min(names.length, 3))
    await expect(page.locator('.compare-item.is-selected')).toHaveAttribute('data-model', other)
    await page.screenshot({ path: `${SCREENSHOTS}/compare.png`, fullPage: true })

    // The comparison follows the input: an example image goes to every model too.
    await page.getByTestId('example').first().click()
    await settled(page)
    await expect(page.getByTestId('compare-summary')).toHaveText(/read 0|disagree/)

    // The dark theme follows the system setting.
    await page.emulateMedia({ colorScheme: 'dark' })
    expect(await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor)).toBe('rgb(15, 18, 32)')
    await page.screenshot({ path: `${SCREENSHOTS}/compare-dark.png`, fullPage: true })
  })
})

test.describe('service states', () => {
  test('says when the recognition service is not reachable', async ({ page }) => {
    // Simulate the backend going away: the API calls fail at the network level.
    await page.route(/\/(health|predict|models)(\/upload)?$/, (route) => route.abort('connectionrefused'))
    await page.goto('/')
    await expect(page.getByTestId('service-unreachable')).toHaveText(/Can't reach the recognition service right now\./)
    await expect(page.getByTestId('service-unreachable')).not.toContainText('make run')
    await expect(page.getByTestId('service-status')).toHaveText('Service offline')
    await expect(page.getByTestId('model-details')).toHaveText(/once the service is ready/)
    await page.screenshot({ path: `${SCREENSHOTS}/unreachable.png`, fullPage: true })
  })

  test('says when the service is slow to answer', async ({ page }) => {
    await page.route('**/predict', async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 4500))
      await route.continue().catch(() => {})
    })
    await open(page)
    await drawGlyph(page, page.getByTestId('draw-canvas'), GLYPHS[1]!)
    await expect(page.getByTestId('slow')).toHaveText(/taking longer than usual/, { timeout: 6000 })
    await page.screenshot({ path: `${SCREENSHOTS}/slow.png`, fullPage: true })
    await expect(page.getByTestId('prediction-digit')).toHaveText('1', { timeout: 20_000 })
    await expect(page.getByTestId('slow')).toHaveCount(0)
  })
})
