// Text in photos in browser mode, in Debian's Chromium: a library of photos with rendered and real
// text (fixtures/textPhotos.ts) is indexed and read; a word only written in a photo finds it, the
// hit says so, the viewer shows the lines and their boxes (toggled), and text combines with a date
// and with the filters. Screenshots at 1440 and 800 px.
import { test, expect, type Page } from '@playwright/test'
import { rmSync } from 'node:fs'
import { tempDir } from '../fixtures/photos'
import { textLibrary, textPhotosAvailable, type TextLibrary } from '../fixtures/textPhotos'
import { apiCall, startApp, type AppServer } from './server'

let app: AppServer
let lib: TextLibrary
let data: string

const shot = (page: Page, name: string) => page.screenshot({ path: test.info().outputPath(`${name}.png`) })

async function search(page: Page, text: string): Promise<void> {
  await page.getByTestId('search-input').fill(text)
  await page.getByTestId('search-input').press('Enter')
  await expect(page.getByTestId('result-count')).toBeVisible()
}

test.skip(!textPhotosAvailable(), 'the photos come from Debian packages that .ci/run installs')

test.beforeAll(async () => {
  lib = await textLibrary({ plain: 4 })
  data = tempDir()
  app = await startApp(data)
  await apiCall(app, 'addFolder', { path: lib.dir })
  // indexing, then the signals job reads the text: wait until every photo's text is read
  await expect
    .poll(
      async () => {
        const { photos } = await apiCall(app, 'listPhotos', { limit: 500 })
        if (photos.length < lib.photos.length) return false
        const states = await Promise.all(photos.map((p: { id: number }) => apiCall(app, 'photoText', { id: p.id })))
        return states.every((t: { state: string }) => t.state === 'read')
      },
      { timeout: 10 * 60_000, intervals: [2000] }
    )
    .toBe(true)
})

test.afterAll(async () => {
  await app?.stop()
  if (lib) rmSync(lib.dir, { recursive: true, force: true })
  rmSync(data, { recursive: true, force: true })
})

test('a word only written in a photo finds it; the viewer shows the text and its boxes', async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 })
  await page.goto(app.url)
  await search(page, 'Lisbon')
  const first = page.getByTestId('thumb').first()
  await expect(first.getByTestId('thumb-said')).toContainText('Welcome to Lisbon')
  await expect(page.getByTestId('text-term')).toContainText('Lisbon')
  await shot(page, 'text-1440-search')

  await first.locator('button.open[title="poster-lisbon.jpg"]').click()
  await expect(page.getByTestId('viewer')).toBeVisible()
  await expect(page.getByTestId('viewer-text-line').first()).toContainText('Welcome to Lisbon')
  const boxes = page.getByTestId('text-box')
  await expect(boxes).toHaveCount(1)
  // the box lies over the displayed photo, where the words are (rendered centred at 50%, 75%)
  const img = (await page.getByTestId('viewer-image').boundingBox())!
  const box = (await boxes.first().boundingBox())!
  const shown = { w: Math.min(img.width, (img.height * 1600) / 1067), h: Math.min(img.height, (img.width * 1067) / 1600) }
  const left = img.x + (img.width - shown.w) / 2
  const top = img.y + (img.height - shown.h) / 2
  expect(Math.abs((box.x + box.width / 2 - left) / shown.w - 0.5)).toBeLessThan(0.06)
  expect(Math.abs((box.y + box.height / 2 - top) / shown.h - 0.75)).toBeLessThan(0.08)
  await shot(page, 'text-1440-viewer')

  await page.getByTestId('text-toggle').click()
  await expect(page.getByTestId('text-boxes')).toBeHidden()
  await page.getByTestId('text-toggle').click()
  await expect(page.getByTestId('text-boxes')).toBeVisible()

  // a name the model cannot see is answered by the text alone
  await page.getByTestId('viewer-close').click()
  await search(page, 'Hotel Adlon')
  await expect(page.getByTestId('thumb').first().getByTestId('thumb-said')).toContainText(/adlon/i)
})

test('text combines with a date ("receipt 2023") and with the filters', async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 })
  await page.goto(app.url)
  await search(page, 'receipt')
  await expect(page.getByTestId('thumb-said')).toHaveCount(3)
  await search(page, 'receipt 2023')
  await expect(page.getByTestId('thumb-said')).toHaveCount(2)
  const said = await page.getByTestId('thumb-said').allTextContents()
  expect(said.join(' ')).toMatch(/2023/)
  await shot(page, 'text-1440-receipt-2023')

  // a text word with a date filter: the same two
  await search(page, 'receipt')
  await page.getByTestId('filters-button').click()
  await page.getByTestId('filter-from').fill('2023-01-01')
  await page.getByTestId('filter-from').dispatchEvent('change')
  await expect(page.getByTestId('thumb-said')).toHaveCount(2)
  await page.getByTestId('filter-from').fill('')
  await page.getByTestId('filter-from').dispatchEvent('change')

  // the text filter in the library: only the photos that say it
  await page.getByTestId('search-clear').click()
  await page.getByTestId('filter-text').fill('ticket')
  await expect(page.getByTestId('thumb')).toHaveCount(1)
  await expect(page.getByTestId('photo-count')).toContainText('1 of')
  await shot(page, 'text-1440-filter')
})

test('at 800 px: the hit and the viewer with its boxes', async ({ page }) => {
  await page.setViewportSize({ width: 800, height: 900 })
  await page.goto(app.url)
  await search(page, 'pharmacy')
  await expect(page.getByTestId('thumb').first().getByTestId('thumb-said')).toContainText(/pharmacy/i)
  await shot(page, 'text-800-search')
  await page.getByTestId('thumb').first().locator('button.open[title="receipt-pharmacy.jpg"]').click()
  await expect(page.getByTestId('text-box').first()).toBeVisible()
  await shot(page, 'text-800-viewer')
})
