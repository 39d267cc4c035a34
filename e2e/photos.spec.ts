// The photo app's screens on a small real library (e2e/library.ts), in Chromium: favourites and
// albums (stored by the engine, never in the photos), the keyboard, and every screen at 1440 and
// 800 px wide (screenshots in test-results/), none wider than the window.
import { test, expect, type Page } from '@playwright/test'
import { indexedHome, type Home, type Indexed } from './library'
import { apiCall, type AppServer } from './server'

test.describe.configure({ mode: process.env.MRL_APP_ROOT ? 'default' : 'serial', timeout: 6 * 60_000 })
test.use({ actionTimeout: 30_000 })

let lib: Indexed
let app: AppServer
let home: Home

const shot = (page: Page, name: string) => page.screenshot({ path: test.info().outputPath(`${name}.png`) })
const ids = (page: Page) => page.getByTestId('thumb').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-id'))))

async function ready(page: Page, width = 1440): Promise<void> {
  await page.setViewportSize({ width, height: 900 })
  await page.goto(app.url)
  await expect(page.getByTestId('thumb').first()).toBeVisible()
}

test.beforeAll(async () => {
  lib = await indexedHome({ cifarPerClass: 10 })
  ;({ app, home } = lib)
})

test.afterAll(() => lib?.stop())

test('favourites: the heart on a photo and f in the viewer keep it in Favourites, and a re-index keeps them', async ({ page }) => {
  await ready(page)
  const [a, b] = (await ids(page)).slice(0, 2)
  const first = page.getByTestId('thumb').first()
  await first.hover()
  await first.getByTestId('thumb-favourite').click()
  await expect(first).toHaveAttribute('data-favourite', 'true')
  await page.getByTestId('thumb').nth(1).locator('button.open').click()
  await expect(page.getByTestId('viewer')).toBeVisible()
  await page.keyboard.press('f')
  await expect(page.getByTestId('viewer-favourite')).toHaveAttribute('aria-pressed', 'true')
  await page.keyboard.press('Escape')
  await page.getByTestId('nav-favourites').click()
  await expect(page.getByTestId('screen-title')).toHaveText('Favourites')
  await expect(page.getByTestId('thumb')).toHaveCount(2)
  expect((await ids(page)).sort()).toEqual([a, b].sort())
  await shot(page, 'favourites-1440')
  // kept in the engine's tables by path: a re-index (and the files untouched) keeps them
  await apiCall(app, 'reindex', {})
  await expect.poll(async () => (await apiCall(app, 'status', {})).progress.phase).toBe('done')
  expect((await apiCall(app, 'listPhotos', { filter: { favourite: true } })).total).toBe(2)
  // taking one away
  await page.getByTestId('thumb').first().hover()
  await page.getByTestId('thumb').first().getByTestId('thumb-favourite').click()
  await expect(page.getByTestId('thumb')).toHaveCount(1)
})

test('albums: made from a selection, opened, searched in, renamed and deleted; an album is a filter', async ({ page }) => {
  await ready(page)
  const thumbs = page.getByTestId('thumb')
  const chosen = (await ids(page)).slice(2, 5)
  await thumbs.nth(2).hover()
  await thumbs.nth(2).getByTestId('thumb-select').click()
  await thumbs.nth(4).click({ modifiers: ['Shift'] })
  await expect(page.getByTestId('selection-count')).toHaveText('3 selected')
  await page.getByTestId('selection-album-input').fill('Walks')
  await page.getByTestId('selection-album').click()
  await page.getByTestId('nav-albums').click()
  await expect(page.getByTestId('album-card')).toHaveCount(1)
  await expect(page.getByTestId('album-card')).toContainText('3 photos')
  await shot(page, 'albums-1440')
  await page.getByTestId('album-card').click()
  await expect(thumbs).toHaveCount(3)
  expect((await ids(page)).sort()).toEqual(chosen.sort())
  await shot(page, 'album-1440')
  // a search on the album's screen searches the album
  await page.getByTestId('search-input').fill('dog')
  await page.getByTestId('search-input').press('Enter')
  await expect(page.getByTestId('result-title')).toContainText('in album “Walks”')
  await expect.poll(async () => (await ids(page)).every((id) => chosen.includes(id))).toBe(true)
  await page.keyboard.press('Escape')
  await page.getByTestId('search-input').press('Escape')
  // the API's filter
  expect((await apiCall(app, 'listPhotos', { filter: { album: 'Walks' } })).total).toBe(3)
  await page.getByTestId('album-rename').click()
  await page.getByTestId('album-rename-input').fill('Long walks')
  await page.getByTestId('album-rename-save').click()
  await expect(page.getByTestId('screen-title')).toHaveText('Long walks')
  await page.getByTestId('album-delete').click()
  await expect(page.getByTestId('albums-empty')).toBeVisible()
  expect((await apiCall(app, 'listPhotos', {})).total).toBeGreaterThan(100) // the photos stay
})

test('keyboard: / searches, arrows move through the grid across headings and through the viewer, Enter opens, Escape closes, focus shows', async ({ page }) => {
  await ready(page)
  await page.keyboard.press('/')
  await expect(page.getByTestId('search-input')).toBeFocused()
  await page.keyboard.press('Escape')
  // into the grid: the first photo is its one tab stop
  await page.getByTestId('thumb').first().locator('button.open').focus()
  const focused = () => page.evaluate(() => Number(document.activeElement?.closest('[data-testid=thumb]')?.getAttribute('data-id')))
  const first = await focused()
  const list = (await apiCall(app, 'listPhotos', { limit: 60 })).photos.map((p: { id: number }) => p.id)
  expect(first).toBe(list[0])
  await page.keyboard.press('ArrowRight')
  expect(await focused()).toBe(list[1])
  await page.keyboard.press('ArrowDown')
  const down = await focused()
  expect(list.indexOf(down)).toBeGreaterThan(1)
  // the focus ring shows on the photo the keyboard is on
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle)
  expect(outline).not.toBe('none')
  await page.keyboard.press('ArrowUp')
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('viewer')).toBeVisible()
  await expect(page.getByTestId('viewer-name')).toHaveText((await apiCall(app, 'getPhoto', { id: list[1] })).name)
  await page.keyboard.press('ArrowRight')
  await expect(page.getByTestId('viewer-name')).toHaveText((await apiCall(app, 'getPhoto', { id: list[2] })).name)
  await page.keyboard.press('Escape')
  await expect(page.getByTestId('viewer')).toBeHidden()
  // back on the photo last viewed
  expect(await focused()).toBe(list[2])
  // the controls have names a screen reader reads
  for (const name of ['Search photos', 'Order of the photos']) await expect(page.getByLabel(name)).toBeVisible()
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Albums' })).toBeVisible()
  await expect(page.getByRole('radiogroup', { name: /speed or precision/ })).toBeVisible()
})

test('every screen at 1440 and 800 px, none wider than the window', async ({ page }) => {
  for (const width of [1440, 800]) {
    await ready(page, width)
    const fits = async (name: string) => {
      await shot(page, `${name}-${width}`)
      expect(await page.evaluate(() => document.documentElement.scrollWidth), `${name} at ${width}`).toBeLessThanOrEqual(width)
    }
    await fits('photos')
    await page.getByTestId('filters-button').click()
    await fits('filters')
    await page.getByTestId('filters-button').click()
    await page.getByTestId('search-input').fill('cat')
    await page.getByTestId('search-input').press('Enter')
    await expect(page.getByTestId('result-count')).toBeVisible()
    await fits('search')
    await page.getByTestId('dial-custom').click()
    await fits('advanced')
    await page.keyboard.press('Escape')
    await page.getByTestId('thumb').first().locator('button.open').click()
    await expect(page.getByTestId('viewer-exif')).toBeVisible()
    await fits('viewer')
    await page.keyboard.press('Escape')
    await page.getByTestId('search-clear').click()
    for (const nav of ['albums', 'favourites']) {
      await page.getByTestId(`nav-${nav}`).click()
      await fits(nav)
    }
    // the signals' screens, registered in the same sidebar
    for (const [nav, shown] of [['people', 'people-screen'], ['places', 'map-screen'], ['duplicates', 'duplicates-screen']]) {
      await page.getByTestId(`nav-${nav}`).click()
      await expect(page.getByTestId(shown)).toBeVisible()
      await expect(page.getByTestId(shown)).not.toContainText(/Loading|Looking for/) // the screen as the user reads it, not its first frame
      await fits(nav)
    }
    for (const panel of ['folders', 'labels', 'models']) {
      await page.getByTestId(`${panel}-button`).click()
      await expect(page.getByTestId(`${panel}-panel`)).toBeVisible()
      await fits(`${panel}-panel`)
      await page.keyboard.press('Escape')
      await expect(page.getByTestId(`${panel}-panel`)).toBeHidden()
    }
    await page.getByTestId('nav-photos').click()
    await page.getByTestId('show-skipped').click()
    await fits('skipped')
    await page.keyboard.press('Escape')
  }
  // the folder browser lists nothing outside the home folder and mounted volumes
  await expect(apiCall(app, 'browseFolders', { path: '/etc' })).rejects.toThrow(/403/)
  const listing = await apiCall(app, 'browseFolders', { path: home.home })
  expect(listing.folders.map((f: { name: string }) => f.name)).toEqual(['Documents', 'Pictures'])
})
