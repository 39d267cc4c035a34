// A new user's first hour, in Chromium at 1440 and 800 px, on a home folder of real photographs,
// CIFAR-10 JPEGs and two damaged files (e2e/library.ts): each numbered failure of the "behave like
// a photo app" report, named after what went wrong. The tests run in order on one library.
import { test, expect, type Page } from '@playwright/test'
import { execFileSync } from 'node:child_process'
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import sharp from 'sharp'
import { ROOT, cifarLibrary, tempDir } from '../fixtures/photos'
import { indexedHome, makeHome, type Home, type Indexed } from './library'
import { apiCall, startApp, type AppServer } from './server'

// in order on one library; against an older build (MRL_APP_ROOT) each test runs even when one fails
test.describe.configure({ mode: process.env.MRL_APP_ROOT ? 'default' : 'serial', timeout: 6 * 60_000 })
test.use({ actionTimeout: 30_000 })

let lib: Indexed
let app: AppServer
let home: Home
let data: string
const APP_ROOT = process.env.MRL_APP_ROOT ?? ROOT

const shot = (page: Page, name: string) => page.screenshot({ path: test.info().outputPath(`${name}.png`) })

async function waitIndexed(page: Page): Promise<void> {
  await expect(page.getByTestId('progress')).toBeHidden({ timeout: 5 * 60_000 })
  await expect(page.getByTestId('thumb').first()).toBeVisible()
}

async function searchWords(page: Page, text: string): Promise<void> {
  await page.getByTestId('search-input').fill(text)
  await page.getByTestId('search-input').press('Enter')
}

/** The photo of this name, opened in the viewer from a name filter. */
async function openByName(page: Page, name: string): Promise<void> {
  if (!(await page.getByTestId('filters').isVisible())) await page.getByTestId('filters-button').click()
  await page.getByTestId('filter-name').fill(name)
  await expect(page.getByTestId('thumb')).toHaveCount(1)
  await page.getByTestId('thumb').first().locator('button').first().click()
  await expect(page.getByTestId('viewer')).toBeVisible()
}

async function clearFilters(page: Page): Promise<void> {
  if (await page.getByTestId('filter-clear').isVisible()) await page.getByTestId('filter-clear').click()
}

test.beforeAll(async () => {
  lib = await indexedHome()
  ;({ app, home, data } = lib)
})

test.afterAll(() => lib?.stop())

/** A fresh, empty library (CIFAR-10, `perClass` a class, and two damaged files) served with its own HOME. */
async function withFreshLibrary(perClass: number, run: (app: AppServer, home: Home) => Promise<void>): Promise<void> {
  const fresh = makeHome({ cifarPerClass: perClass, real: false })
  const freshData = tempDir()
  const server = await startApp(freshData, { HOME: fresh.home })
  try {
    await run(server, fresh)
  } finally {
    await server.stop()
    rmSync(fresh.home, { recursive: true, force: true })
    rmSync(freshData, { recursive: true, force: true })
  }
}

test('12: the first run offers a folder browser and says what search knows', async ({ page }) => {
  await withFreshLibrary(20, async (server) => {
    await page.setViewportSize({ width: 1440, height: 900 })
    await page.goto(server.url)
    await expect(page.getByTestId('what-search-knows')).toContainText(/colours/i)
    // the home folder's folders, no files, no hidden ones
    const folders = page.getByTestId('browse-folder')
    await expect(folders.first()).toBeVisible()
    expect(await folders.evaluateAll((els) => els.map((e) => e.getAttribute('data-name')))).toEqual(['Documents', 'Pictures'])
    await shot(page, 'first-run-1440')
    await page.setViewportSize({ width: 800, height: 900 })
    await shot(page, 'first-run-800')
    await page.setViewportSize({ width: 1440, height: 900 })
    await folders.filter({ hasText: 'Pictures' }).click()
    await expect(page.getByTestId('browse-add')).toContainText('Pictures')
    await page.getByTestId('browse-add').click()
    await expect(page.getByTestId('progress')).toBeVisible()
    await shot(page, 'indexing-1440')
    await waitIndexed(page)
  })
})

test('6: while a folder is indexed, photos already shown never turn into blank tiles', async ({ page }) => {
  // 1,000 photos: indexing lasts long enough for the list to refresh several times once photos show
  await withFreshLibrary(100, async (server, fresh) => {
    // a slow engine (pages answer in 1.5 s) while photos arrive: what was shown stays until its update is there
    await page.route('**/api/listPhotos', async (route) => {
      await new Promise((r) => setTimeout(r, 1500))
      await route.continue()
    })
    await page.goto(server.url)
    await apiCall(server, 'addFolder', { path: fresh.pictures })
    await expect(page.getByTestId('progress')).toBeVisible()
    const samples: { thumbs: number; placeholders: number }[] = []
    while (await page.getByTestId('progress').isVisible()) {
      samples.push(
        await page.evaluate(() => ({
          thumbs: document.querySelectorAll('[data-testid=thumb]').length,
          placeholders: document.querySelectorAll('[data-testid=thumb-placeholder]').length
        }))
      )
      await page.waitForTimeout(150)
    }
    const shown = samples.findIndex((s) => s.thumbs > 0)
    console.log(`indexing: ${samples.length} samples, photos first shown at sample ${shown}`)
    expect(shown).toBeGreaterThanOrEqual(0)
    expect(samples.length - shown, 'photos showed while most of the folder was still being indexed').toBeGreaterThan(30)
    const after = samples.slice(shown)
    expect(after.filter((s) => s.thumbs === 0), 'once shown, photos never leave the grid while more arrive').toEqual([])
    expect(after.filter((s) => s.placeholders > 0), 'no blank tile while more photos arrive').toEqual([])
  })
})

test('13: the library is a timeline, newest first by the date taken (file date when the photo has none, marked so), by month and day', async ({ page }) => {
  await page.goto(app.url)
  await waitIndexed(page)
  // the newest photo is the one whose file date is the latest (it carries no date of its own)
  const headings = page.getByTestId('group-heading')
  await expect(headings.first()).toHaveAttribute('data-key', '2024-05-01')
  await expect(page.getByTestId('month-heading').first()).toContainText('2024')
  await expect(headings.first().getByTestId('file-dated')).toBeVisible()
  const firstId = Number(await page.getByTestId('thumb').first().getAttribute('data-id'))
  expect((await apiCall(app, 'getPhoto', { id: firstId })).name).toBe('astronaut.png')
  const keys = await headings.evaluateAll((els) => els.map((e) => e.getAttribute('data-key')!))
  expect([...keys].sort().reverse()).toEqual(keys)
  // the scrubber goes to a year: 2015's photos (EXIF dates) come into view
  const mark = await page.getByTestId('scrubber-mark').filter({ hasText: '2015' }).boundingBox()
  await page.mouse.click(mark!.x + mark!.width / 2, mark!.y + mark!.height / 2)
  await expect(page.locator('[data-testid=group-heading][data-key^="2015"]').first()).toBeInViewport()
  await expect(page.getByTestId('thumb-placeholder')).toHaveCount(0)
  await shot(page, 'timeline-scrubbed-1440')
  // oldest first, by name, by folder
  await page.getByTestId('sort').selectOption('date-asc')
  await expect(headings.first()).toHaveAttribute('data-key', /^200[0-9]-/)
  // by name: no heading, once the order's headings have answered (before they do, none shows either)
  const named = page.waitForResponse((r) => r.url().endsWith('/api/timeline') && r.request().postDataJSON()?.sort === 'name')
  await page.getByTestId('sort').selectOption('name')
  await named
  await expect(page.getByTestId('thumb').first()).toBeVisible()
  await expect(page.getByTestId('group-heading')).toHaveCount(0)
  for (const width of [1440, 800]) {
    await page.setViewportSize({ width, height: 900 })
    await shot(page, `timeline-by-name-${width}`)
  }
  await page.setViewportSize({ width: 1440, height: 900 })
  const names = await Promise.all((await page.getByTestId('thumb').all()).slice(0, 5).map(async (t) => (await apiCall(app, 'getPhoto', { id: Number(await t.getAttribute('data-id')) })).name))
  expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b, undefined, { numeric: true, sensitivity: 'base' })))
  await page.getByTestId('sort').selectOption('folder')
  await expect(headings.first()).toBeVisible()
  await page.getByTestId('sort').selectOption('date-desc')
})

test('1: a refused word search says why, instead of "Searching…" for good', async ({ page }) => {
  await page.goto(app.url)
  await waitIndexed(page)
  await searchWords(page, 'qwertyuiop')
  await expect(page.getByTestId('search-error')).toContainText('cannot see')
  await expect(page.getByText('Searching…')).toHaveCount(0)
  await shot(page, 'search-refused-1440')
  // and a search that works afterwards shows its results
  await searchWords(page, 'dog')
  await expect(page.getByTestId('result-count')).toBeVisible()
  await expect(page.getByText('Searching…')).toHaveCount(0)
})

test('2: error messages go away by themselves, never pile up, and stay behind when the screen changes', async ({ page }) => {
  await page.goto(app.url)
  await waitIndexed(page)
  await page.getByTestId('folders-button').click()
  for (const p of ['/nowhere/one', '/nowhere/two', '/nowhere/three']) {
    await page.getByTestId('folder-input').fill(p)
    await page.getByTestId('add-folder').click()
    await expect(page.getByTestId('error').filter({ hasText: p })).toBeVisible()
  }
  expect(await page.getByTestId('error').count()).toBeLessThanOrEqual(2)
  await page.keyboard.press('Escape')
  await page.getByTestId('nav-albums').click()
  await expect(page.getByTestId('error')).toHaveCount(0)
  await page.getByTestId('nav-photos').click()
  await page.getByTestId('folders-button').click()
  await page.getByTestId('folder-input').fill('/nowhere/four')
  await page.getByTestId('add-folder').click()
  await expect(page.getByTestId('error')).toHaveCount(1)
  await expect(page.getByTestId('error')).toHaveCount(0, { timeout: 12_000 })
})

test('3: "Find similar" in the viewer searches the whole library, not just what a filter had narrowed to', async ({ page }) => {
  await page.goto(app.url)
  await waitIndexed(page)
  await openByName(page, 'chelsea')
  await page.getByTestId('find-similar').click()
  await expect(page.getByTestId('result-count')).toBeVisible()
  await expect(page.getByTestId('result-count')).not.toHaveText('0 results')
  expect(await page.getByTestId('thumb').count()).toBeGreaterThan(1)
})

test('4: the advanced funnel panel says what it is, and Escape or a click outside closes it', async ({ page }) => {
  await page.goto(app.url)
  await waitIndexed(page)
  const button = page.getByTestId('dial-custom')
  await expect(button).not.toHaveText(/^custom$/i)
  await button.click()
  const panel = page.getByTestId('dial-custom-panel')
  await expect(panel).toBeVisible()
  await expect(panel.getByRole('heading')).toBeVisible()
  await expect(panel).toContainText('shortlist')
  await shot(page, 'advanced-1440')
  await page.keyboard.press('Escape')
  await expect(panel).toBeHidden()
  await button.click()
  await expect(panel).toBeVisible()
  await page.getByTestId('grid').click({ position: { x: 5, y: 5 } })
  await expect(panel).toBeHidden()
  // a custom funnel does not leave the panel over the results of later searches
  await button.click()
  await page.getByTestId('custom-k').fill('50')
  await page.getByTestId('custom-apply').click()
  await searchWords(page, 'dog')
  await page.keyboard.press('Escape')
  await expect(panel).toBeHidden()
  await expect(button).toContainText('50')
  await button.click()
  await page.getByTestId('custom-clear').click()
  await page.keyboard.press('Escape')
})

test('5: at 800 px the header keeps a usable search box and nothing overlaps', async ({ page }) => {
  await page.setViewportSize({ width: 800, height: 900 })
  await page.goto(app.url)
  await waitIndexed(page)
  const box = await page.getByTestId('search-input').boundingBox()
  expect(box!.width).toBeGreaterThanOrEqual(200)
  const controls = [page.getByTestId('search-input'), page.locator('label:has([data-testid=image-input])'), page.getByTestId('filters-button')]
  const boxes = await Promise.all(controls.map((c) => c.boundingBox()))
  for (const b of boxes) expect(b!.x + b!.width).toBeLessThanOrEqual(800)
  for (let i = 0; i < boxes.length; i++)
    for (let j = i + 1; j < boxes.length; j++) {
      const [a, b] = [boxes[i]!, boxes[j]!]
      const overlap = a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height
      expect(overlap, `controls ${i} and ${j} overlap`).toBe(false)
    }
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(800)
  await shot(page, 'photos-800')
})

test('7: skipped files show their name and the reason once, in words', async ({ page }) => {
  await page.goto(app.url)
  await waitIndexed(page)
  await page.getByTestId('show-skipped').click()
  const list = page.getByTestId('skipped-list')
  await expect(list).toBeVisible()
  const rows = list.locator('li')
  await expect(rows).toHaveCount(2)
  for (const row of await rows.all()) {
    const text = (await row.innerText()).trim()
    // the whole file name is on screen: nothing cut with an ellipsis
    const clipped = await row.evaluate((li) => [...li.querySelectorAll('*')].some((e) => getComputedStyle(e).textOverflow === 'ellipsis' && e.scrollWidth > e.clientWidth))
    expect(clipped).toBe(false)
    expect(text).toMatch(/IMG_20160812_\d+(_HDR_the_one_that_got_cut_short)?\.jpg/)
    const lines = text.split('\n').filter(Boolean)
    expect(new Set(lines).size, `no line said twice: ${text}`).toBe(lines.length)
    expect(text).not.toMatch(/VipsJpeg/i)
    expect(text.length).toBeLessThan(500)
  }
  await shot(page, 'skipped-1440')
})

test('8: the dial speaks plain words, shows no figure before a search, keeps the number of results, and never offers K beyond the library', async ({ page }) => {
  await page.goto(app.url)
  await waitIndexed(page)
  const settings = page.getByRole('radiogroup').getByRole('radio')
  await expect(settings).toHaveText(['Fastest', 'Balanced', 'Most precise'])
  await expect(page.getByText(/recall/i)).toHaveCount(0)
  await expect(page.getByText(/\bcand\./)).toHaveCount(0)
  // measured on this library: the tooltip says the time and the agreement with exact search
  await expect.poll(async () => (await apiCall(app, 'status', {})).dial.every((p: { recall: number | null }) => p.recall !== null), { timeout: 120_000 }).toBe(true)
  await page.reload()
  await expect(settings.first()).toHaveAttribute('title', /ms per search.*exact search/)
  const photos = (await apiCall(app, 'status', {})).photos
  for (const p of (await apiCall(app, 'status', {})).dial) expect(p.config.k).toBeLessThanOrEqual(photos)
  // the same number of results at every setting
  const first = page.getByTestId('thumb').first()
  await first.hover()
  await first.getByTestId('thumb-similar').click()
  const counts: { shown: number; hidden: number }[] = []
  for (const name of ['Fastest', 'Balanced', 'Most precise']) {
    await settings.filter({ hasText: name }).click()
    await expect(page.getByTestId('search-stats')).not.toHaveClass(/stale/)
    await page.waitForTimeout(300)
    await expect(page.getByTestId('search-stats')).not.toHaveClass(/stale/)
    const stats = page.getByTestId('search-stats')
    // the old header had no such attributes: the shown count, and none hidden
    const shown = Number((await stats.getAttribute('data-shown')) ?? (await page.getByTestId('result-count').textContent())!.replace(/\D/g, ''))
    counts.push({ shown, hidden: Number((await stats.getAttribute('data-hidden')) ?? 0) })
  }
  console.log(`results per setting (shown + below the relevance cut-off): ${counts.map((c) => `${c.shown}+${c.hidden}`).join(', ')}`)
  // every setting finds the 60 asked for; relevance is judged alike, so the two precise settings agree
  expect(counts.map((c) => c.shown + c.hidden)).toEqual([60, 60, 60])
  expect(counts[1].shown).toBe(counts[2].shown)
  await page.getByTestId('dial-custom').click()
  await expect(page.getByTestId('custom-k')).toHaveAttribute('max', String(photos))
  await shot(page, 'dial-advanced-1440')
})

test('9: your own labels are in the label filter, and a search by one says so', async ({ page }) => {
  await page.goto(app.url)
  await waitIndexed(page)
  const thumbs = page.getByTestId('thumb')
  const ids = [Number(await thumbs.nth(0).getAttribute('data-id')), Number(await thumbs.nth(1).getAttribute('data-id'))]
  await thumbs.nth(0).hover()
  await thumbs.nth(0).getByTestId('thumb-select').click()
  await thumbs.nth(1).click({ modifiers: ['Control'] })
  await page.getByTestId('selection-label-input').fill('my test label')
  await page.getByTestId('selection-label').click()
  await page.getByTestId('filters-button').click()
  await expect(page.getByTestId('filter-label').locator('option', { hasText: 'my test label' })).toHaveCount(1)
  await page.getByTestId('filter-label').selectOption({ label: 'my test label (2)' })
  await expect(thumbs).toHaveCount(2)
  expect((await thumbs.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-id'))))).sort()).toEqual(ids.sort())
  await shot(page, 'filters-user-label-1440')
  await clearFilters(page)
  await searchWords(page, 'my test label')
  await expect(page.getByTestId('matched-term')).toContainText('my test label')
  await expect(thumbs).toHaveCount(2)
})

test('10: the viewer names the camera once, says when the photo was taken, and never blows a small image up', async ({ page }) => {
  await page.goto(app.url)
  await waitIndexed(page)
  await openByName(page, 'Storm')
  await expect(page.getByTestId('viewer-exif')).toContainText('Canon EOS 400D DIGITAL')
  await expect(page.getByTestId('viewer-exif')).not.toContainText('Canon Canon')
  await expect(page.getByTestId('viewer-exif')).not.toContainText('Modified')
  await expect(page.getByTestId('viewer-taken')).toContainText('2008')
  await shot(page, 'viewer-1440')
  await page.keyboard.press('Escape')
  await clearFilters(page)
  await openByName(page, 'coins')
  const img = page.getByTestId('viewer-image')
  await expect.poll(() => img.evaluate((el) => (el as HTMLImageElement).naturalWidth)).toBeGreaterThan(0)
  const { shown, natural } = await img.evaluate((el) => {
    const i = el as HTMLImageElement
    const box = i.getBoundingClientRect()
    const scale = Math.min(box.width / i.naturalWidth, box.height / i.naturalHeight)
    return { shown: scale * i.naturalWidth, natural: i.naturalWidth }
  })
  console.log(`coins.png: ${natural} px wide, shown at ${shown.toFixed(0)} px`)
  expect(shown).toBeLessThanOrEqual(natural + 1)
  await expect(page.getByTestId('viewer-taken')).toContainText('not recorded')
})

test('11: the labels panel never stays at "Looking for Python…", says why suggestions are off, and the model panel has no bare file inputs', async ({ page }) => {
  await page.route('**/api/backbone', (route) => route.fulfill({ status: 500, contentType: 'application/json', body: JSON.stringify({ error: 'internal error: the check broke' }) }))
  await page.goto(app.url)
  await waitIndexed(page)
  await page.getByTestId('labels-button').click()
  await expect(page.getByTestId('labels-panel')).toBeVisible()
  await expect(page.getByText('Looking for Python with PyTorch…')).toHaveCount(0, { timeout: 5000 })
  await expect(page.getByTestId('labels-panel')).toContainText('the check broke')
  await expect(page.getByTestId('labels-panel').getByRole('button', { name: 'Check again' })).toBeVisible()
  await expect(page.getByTestId('suggest')).toBeDisabled()
  await expect(page.getByTestId('suggest-reason')).toContainText('Train on my labels')
  await shot(page, 'labels-1440')
  await page.keyboard.press('Escape')
  await page.getByTestId('models-button').click()
  await expect(page.getByTestId('models-panel')).toBeVisible()
  const bare = await page.locator('input[type=file]').evaluateAll((els) => els.filter((e) => (e as HTMLElement).getBoundingClientRect().width > 2).length)
  expect(bare, 'no browser-styled "Choose File" input shows').toBe(0)
  await expect(page.getByText('Choose the ONNX file…')).toBeVisible()
  await shot(page, 'models-1440')
})

test('14: search by a 16 MB photo sends a small image and finds what the full upload finds', async ({ page }) => {
  const big = join(data, '..', `mrl-big-${process.pid}.jpg`)
  // a 27-megapixel camera JPEG of about 16 MB
  await sharp(join(home.pictures, 'Real photos', 'Path.jpg')).resize(6400, 4300).jpeg({ quality: 100, chromaSubsampling: '4:4:4' }).toFile(big)
  try {
    await page.goto(app.url)
    await waitIndexed(page)
    let sent = 0
    page.on('request', (r) => {
      if (r.url().endsWith('/api/search')) sent = Math.max(sent, r.postDataBuffer()?.length ?? 0)
    })
    // both searches exact (Most precise), so only the two queries' embeddings can differ, not the shortlist
    await page.locator('[data-testid=dial-setting][data-name="Most precise"]').click()
    await page.getByTestId('image-input').setInputFiles(big)
    await expect(page.getByTestId('result-count')).toBeVisible({ timeout: 60_000 })
    const shown = await page.getByTestId('thumb').evaluateAll((els) => els.slice(0, 10).map((e) => Number(e.getAttribute('data-id'))))
    const { readFileSync, statSync } = await import('node:fs')
    console.log(`query ${(statSync(big).size / 2 ** 20).toFixed(1)} MB; the page sent ${(sent / 2 ** 20).toFixed(2)} MB`)
    expect(sent).toBeLessThan(2 ** 20)
    const full = await apiCall(app, 'search', { query: { kind: 'image', data: readFileSync(big).toString('base64') }, dial: 1, relevance: 'calibrated', limit: 10 })
    const overlap = full.hits.filter((h: { id: number }) => shown.includes(h.id)).length
    console.log(`top 10 shared with the full upload: ${overlap} of ${full.hits.length} shown above the relevance cut-off`)
    // the same photos in the same order as the full upload (the cut-off may show fewer than 10)
    expect(full.hits.length).toBeGreaterThan(0)
    expect(shown).toEqual(full.hits.map((h: { id: number }) => h.id))
    await expect(page.getByTestId('query-preview')).toBeVisible()
    await shot(page, 'search-by-photo-1440')
  } finally {
    rmSync(big, { force: true })
  }
})

test('15 and 7: the CLI progress has a real time left and a clean last line, and skipped files are listed once, not on every run', () => {
  const lib = cifarLibrary(4)
  const cli = tempDir()
  const bad = join(lib, 'bad.jpg')
  execFileSync('sh', ['-c', `head -c 3000 "${join(home.pictures, 'Real photos', 'Storm.jpg')}" > "${bad}"`])
  // a terminal, as a person runs it (the progress line is drawn only on one)
  const run = () => execFileSync('script', ['-qec', `${process.execPath} out/main/cli.js --data ${cli} index ${lib}`, '/dev/null'], { cwd: APP_ROOT, encoding: 'utf8', timeout: 180_000 })
  try {
    const first = run()
    const screen = first.replace(/\x1b\[[0-9;?]*[A-Za-z]|\x1b[78]/g, '')
    console.log(JSON.stringify(screen.slice(-400)))
    expect(screen).not.toMatch(/NF|NaN|Infinity|undefined/)
    // the last drawn progress line ends with a newline before the summary, with nothing after its text
    const lines = screen.split(/\r?\n/)
    const summary = lines.findIndex((l) => /photos in the library/.test(l))
    const progress = lines[summary - 1].split('\r').filter(Boolean).pop() ?? ''
    expect(progress).toMatch(/(\d+)\/\1 photos/)
    expect(progress.trimEnd()).toMatch(/(photos|skipped|\/s|left|finishing)$/)
    expect(first).toContain('bad.jpg')
    const second = run()
    expect(second, 'a file skipped on an earlier run is not listed again').not.toContain('bad.jpg:')
  } finally {
    rmSync(lib, { recursive: true, force: true })
    rmSync(cli, { recursive: true, force: true })
  }
})
