// The Map screen and place queries in browser mode, on real photos with GPS written into their EXIF:
// the map shades the countries and marks the cities, zooms, and a place opens its photos; "Paris"
// and "Paris 2023" in the search box find the photos taken there (then).
import { test, expect, type Page } from '@playwright/test'
import { rmSync } from 'node:fs'
import { tempDir } from '../fixtures/photos'
import { GEO_CASES, placesLibrary } from '../fixtures/places'
import { apiCall, startApp, type AppServer } from './server'

test.use({ actionTimeout: 30_000 })

let app: AppServer
let lib: string
let data: string

const shot = (page: Page, name: string) => page.screenshot({ path: test.info().outputPath(`${name}.png`) })

async function gridNames(page: Page): Promise<string[]> {
  await expect(page.getByTestId('thumb').first()).toBeVisible()
  // a thumbnail's image is decorative (alt=""): its name is the open button's title
  return (await page.getByTestId('thumb').locator('button.open').evaluateAll((els) => els.map((e) => e.getAttribute('title') ?? ''))).sort()
}

test.beforeAll(async () => {
  lib = await placesLibrary(2)
  data = tempDir()
  app = await startApp(data)
  await apiCall(app, 'addFolder', { path: lib })
  // indexing, then the places signal
  await expect.poll(async () => (await apiCall(app, 'places', {})).located, { timeout: 5 * 60_000 }).toBe(GEO_CASES.filter((g) => g.country).length)
})

test.afterAll(async () => {
  await app?.stop()
  rmSync(lib, { recursive: true, force: true })
  rmSync(data, { recursive: true, force: true })
})

test('the map shows where the photos were taken, zooms, and a place opens its photos', async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 })
  await page.goto(app.url)
  await page.getByTestId('nav-places').click()
  await expect(page.getByTestId('map-summary')).toContainText(`${GEO_CASES.length - 1} of ${GEO_CASES.length + 2} photos placed`)
  await expect(page.locator('[data-testid=map-country][data-n3="250"]')).toHaveAttribute('fill', /rgba\(122, 162, 247/)
  // Paris and Versailles overlap at world scale: one marker for both, until zoomed in
  await expect(page.locator('[data-testid=map-marker][data-key="FR/Île-de-France/Paris"]')).toHaveCount(0)
  await shot(page, 'map-1440')

  // the wheel zooms where the pointer is
  const map = page.getByTestId('map')
  const box = (await map.boundingBox())!
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2)
  await page.mouse.wheel(0, -200)
  await expect.poll(async () => Number(await map.getAttribute('data-zoom'))).toBeGreaterThan(1)
  await page.getByTestId('map-reset').click()
  // a cluster zooms in when clicked, until Paris has a marker of its own (country to city level)
  const paris = page.locator('[data-testid=map-marker][data-key="FR/Île-de-France/Paris"]')
  for (let i = 0; i < 6 && !(await paris.count()); i++) {
    await page.locator('[data-testid=map-marker]:not([data-cities="1"])').filter({ hasText: 'Paris, Île-de-France' }).first().click()
  }
  await expect(paris).toHaveCount(1)
  expect(Number(await map.getAttribute('data-zoom'))).toBeGreaterThan(8)
  await shot(page, 'map-zoomed-1440')
  await paris.click()
  expect(await gridNames(page)).toEqual(['paris-2021.jpg', 'paris-2023.jpg'])
  // the place is a filter the user sees and can clear
  await expect(page.getByTestId('filters-button')).toContainText('1')
  await page.getByTestId('filters-button').click()
  await expect(page.getByTestId('filter-place')).toHaveValue('FR/Île-de-France/Paris')
  await shot(page, 'map-paris-photos-1440')
  // the viewer says where a photo was taken
  await page.getByTestId('thumb').first().locator('button.open').click()
  await expect(page.getByTestId('viewer-place')).toHaveText('Paris, Île-de-France, France')
  await shot(page, 'viewer-place-1440')
  await page.keyboard.press('Escape')
  await expect(page.getByTestId('viewer-place')).toBeHidden()

  // a country from the list, at 800 px
  await page.getByTestId('filter-place').fill('')
  await page.setViewportSize({ width: 800, height: 900 })
  await page.getByTestId('nav-places').click()
  await page.getByTestId('map-reset').click()
  await page.getByTestId('map-zoom-in').click()
  await expect(page.getByTestId('map')).toHaveAttribute('data-zoom', '2.00')
  await page.getByTestId('map-reset').click()
  await shot(page, 'map-800')
  await page.locator('[data-testid=place-country][data-key="GB"]').click()
  expect(await gridNames(page)).toEqual(['highlands.jpg', 'london.jpg'])
})

test('"Paris" and "Paris 2023" in the search box', async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 })
  await page.goto(app.url)
  await page.getByTestId('search-input').fill('Paris')
  await page.getByTestId('search-input').press('Enter')
  await expect(page.getByTestId('result-count')).toBeVisible()
  expect(await gridNames(page)).toEqual(['paris-2021.jpg', 'paris-2023.jpg'])
  await page.getByTestId('search-input').fill('Paris 2023')
  await page.getByTestId('search-input').press('Enter')
  await expect(page.getByTestId('thumb')).toHaveCount(1)
  expect(await gridNames(page)).toEqual(['paris-2023.jpg'])
  await shot(page, 'search-paris-2023-1440')
  await page.setViewportSize({ width: 800, height: 900 })
  await shot(page, 'search-paris-2023-800')
})
