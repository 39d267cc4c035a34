// Importing an image encoder through the UI, in browser mode, on 300 CIFAR-10 photos: the FF-512
// baseline (not Matryoshka) is uploaded with its model card, checked on library photos, the library
// is embedded again while searches keep answering, then search uses it (with the unsupervised
// adaptor for its prefixes); switching back to the bundled model works the same way.
import { test, expect, type Page } from '@playwright/test'
import { rmSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { ROOT, cifarLibrary, tempDir } from '../fixtures/photos'
import { apiCall, startApp, type AppServer } from './server'

const FF512 = join(ROOT, 'resources/models/ff512-resnet18-cifar10.onnx')
const FF512_CARD = join(ROOT, 'resources/models/ff512-resnet18-cifar10.json')

let app: AppServer
let lib: string
let data: string
let classOf: Map<number, string>

const shot = (page: Page, name: string) => page.screenshot({ path: test.info().outputPath(`${name}.png`) })
const RUNNING = ['embedding', 'finishing']

/** Mean share of each query's top 10 that is of the query's class, over `n` photo queries spread over the library. */
async function precisionAt10(n: number): Promise<number> {
  const ids = [...classOf.keys()]
  let sum = 0
  for (let i = 0; i < n; i++) {
    const id = ids[Math.floor((i * ids.length) / n)]
    const res = await apiCall(app, 'search', { query: { kind: 'photo', id }, dial: 1, limit: 10 })
    sum += res.hits.filter((h: { id: number }) => classOf.get(h.id) === classOf.get(id)).length / 10
  }
  return sum / n
}

test.beforeAll(async () => {
  test.setTimeout(10 * 60_000)
  lib = cifarLibrary(30) // 300 photos
  data = tempDir()
  app = await startApp(data)
  await apiCall(app, 'addFolder', { path: lib })
  await expect.poll(async () => (await apiCall(app, 'status', {})).progress.phase, { timeout: 8 * 60_000 }).toBe('done')
  const { photos } = await apiCall(app, 'listPhotos', { offset: 0, limit: 1000 })
  classOf = new Map(photos.map((p: { id: number; path: string }) => [p.id, basename(dirname(p.path))]))
  expect(classOf.size).toBe(300)
})

test.afterAll(async () => {
  await app?.stop()
  rmSync(lib, { recursive: true, force: true })
  rmSync(data, { recursive: true, force: true })
})

test('import the FF-512 ONNX with its card through the UI: checked, re-embedded while searching, then in use; and back', async ({ page }) => {
  test.setTimeout(20 * 60_000)
  const before = await precisionAt10(20)
  const bundled = (await apiCall(app, 'status', {})).model
  await page.goto(app.url)
  await expect(page.getByTestId('models-button')).toContainText(bundled.name)
  await page.getByTestId('models-button').click()
  await expect(page.locator(`[data-testid="model-row"][data-active="true"]`)).toHaveAttribute('data-name', bundled.name)

  // a wrong file is refused with the reason
  await page.getByTestId('model-file').setInputFiles(FF512_CARD)
  await page.getByTestId('model-card-file').setInputFiles(FF512_CARD)
  await page.getByTestId('model-import').click()
  await expect(page.getByTestId('error')).toContainText('not an ONNX model')
  await shot(page, '01-refused')

  await page.getByTestId('model-file').setInputFiles(FF512)
  const query = [...classOf.keys()][0]
  // from the click on, an API client searches until search has moved to the new model
  const t0 = Date.now()
  const searches: { phase: string; model: string; hits: number }[] = []
  const watcher = (async () => {
    for (;;) {
      const phase = (await apiCall(app, 'models', {})).switch.phase
      const res = await apiCall(app, 'search', { query: { kind: 'photo', id: query }, limit: 10 })
      const model = (await apiCall(app, 'status', {})).model.id
      searches.push({ phase, model, hits: res.hits.length })
      if (model !== bundled.id) return
    }
  })()
  await page.getByTestId('model-import').click()
  const report = page.getByTestId('model-report')
  await expect(report).toBeVisible({ timeout: 120_000 })
  await expect(page.getByTestId('model-report-dims')).toHaveText('512 dims')
  await expect(page.getByTestId('model-report-speed')).toContainText('ms/photo')
  const ff = (await apiCall(app, 'models', {})).models.find((m: { name: string }) => m.name === 'ff512-resnet18-cifar10')
  expect(ff.matryoshka).toBe(false)
  console.log(`FF-512 checked on ${ff.report.photos} library photos: ${ff.report.dims} dims, ${ff.report.msPerPhoto.toFixed(2)} ms/photo`)
  await expect(page.getByTestId('model-switch')).toBeVisible()
  await shot(page, '02-imported')

  // the UI searches while the library is embedded again
  await page.keyboard.press('Escape')
  await page.locator(`[data-testid="thumb"][data-id="${query}"]`).getByTestId('thumb-similar').click()
  await expect(page.getByTestId('result-count')).toBeVisible()
  await shot(page, '03-searching-while-switching')
  await watcher
  const during = searches.filter((s) => RUNNING.includes(s.phase) && s.model === bundled.id).length
  console.log(`${searches.length} searches; ${during} answered by the bundled model while re-embedding; flipped after ${((Date.now() - t0) / 1000).toFixed(1)} s`)
  expect(searches.every((s) => s.hits === 10)).toBe(true)
  expect(during).toBeGreaterThan(0)

  // then search uses the new model; the unsupervised adaptor gives it prefixes
  await expect.poll(async () => (await apiCall(app, 'status', {})).model.id).toBe(ff.id)
  await expect(page.getByTestId('models-button')).toContainText('ff512-resnet18-cifar10', { timeout: 120_000 })
  await expect.poll(async () => (await apiCall(app, 'models', {})).switch.phase, { timeout: 10 * 60_000 }).toBe('done')
  console.log(`re-embedded 300 photos and trained the adaptor in ${((Date.now() - t0) / 1000).toFixed(1)} s`)
  const status = await apiCall(app, 'status', {})
  expect(status.model.nesting).toEqual([8, 16, 32, 64, 128, 256, 512])
  expect((await apiCall(app, 'adaptors', {})).versions[0].kind).toBe('unsupervised')

  await page.getByTestId('models-button').click()
  await expect(page.locator(`[data-testid="model-row"][data-active="true"]`)).toHaveAttribute('data-name', 'ff512-resnet18-cifar10')
  await expect(page.getByTestId('model-switch')).toHaveAttribute('data-phase', 'done')
  await shot(page, '04-switched')
  await page.goto(app.url) // back to the library view
  await page.locator(`[data-testid="thumb"][data-id="${query}"]`).getByTestId('thumb-similar').click()
  await expect(page.getByTestId('result-count')).toBeVisible()
  const shown = await page.getByTestId('thumb').evaluateAll((els) => els.slice(0, 10).map((e) => Number(e.getAttribute('data-id'))))
  const sameClass = shown.filter((id) => classOf.get(id) === classOf.get(query)).length
  const after = await precisionAt10(20)
  console.log(`photo query in the UI: ${sameClass}/10 of its class; precision@10 over 20 queries: bundled ${before.toFixed(2)}, FF-512 ${after.toFixed(2)}`)
  expect(sameClass).toBeGreaterThanOrEqual(5)
  expect(after).toBeGreaterThanOrEqual(0.6)
  await shot(page, '05-search-with-ff512')

  // back to the bundled model, from the panel
  await page.getByTestId('models-button').click()
  await page.locator(`[data-testid="model-row"][data-name="${bundled.name}"]`).getByTestId('model-use').click()
  await expect.poll(async () => (await apiCall(app, 'models', {})).switch.phase, { timeout: 10 * 60_000 }).toBe('done')
  await expect.poll(async () => (await apiCall(app, 'status', {})).model.id).toBe(bundled.id)
  await expect(page.locator(`[data-testid="model-row"][data-active="true"]`)).toHaveAttribute('data-name', bundled.name)
  expect((await apiCall(app, 'search', { query: { kind: 'photo', id: query }, limit: 10 })).hits).toHaveLength(10)
})
