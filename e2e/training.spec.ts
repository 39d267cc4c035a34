// Labels and Matryoshka fine-tuning end to end in browser mode, on 500 Fashion-MNIST photos (which
// the bundled model was never trained on): label photos in the grid, rename, train on 500 labels
// while searching, search by a label, roll back. (The 1,000-label timing is bench:training's figure.)
import { test, expect, type Page } from '@playwright/test'
import { rmSync } from 'node:fs'
import { basename, dirname } from 'node:path'
import { fashionLibrary } from '../fixtures/fashion'
import { tempDir } from '../fixtures/photos'
import { apiCall, startApp, type AppServer } from './server'

let app: AppServer
let lib: string
let data: string

const shot = (page: Page, name: string) => page.screenshot({ path: test.info().outputPath(`${name}.png`) })
const thumb = (page: Page, id: number) => page.locator(`[data-testid="thumb"][data-id="${id}"]`)
const classOf = (path: string) => basename(dirname(path))

async function photos(): Promise<{ id: number; path: string }[]> {
  return (await apiCall(app, 'listPhotos', { offset: 0, limit: 1000, sort: 'folder' })).photos
}

test.beforeAll(async () => {
  test.setTimeout(20 * 60_000)
  lib = await fashionLibrary(50) // 500 photos, 50 per class
  data = tempDir()
  app = await startApp(data)
  await apiCall(app, 'addFolder', { path: lib })
  await expect.poll(async () => (await apiCall(app, 'status', {})).progress.phase, { timeout: 12 * 60_000 }).toBe('done')
})

test.afterAll(async () => {
  await app?.stop()
  rmSync(lib, { recursive: true, force: true })
  rmSync(data, { recursive: true, force: true })
})

test('labels in the grid: select with ctrl/shift-click, label, count, rename, unlabel', async ({ page }) => {
  await page.goto(app.url)
  await page.getByTestId('sort').selectOption('folder')
  const all = await photos() // sorted by folder, as the grid shows them: the first folder's photos on screen
  const bags = all.filter((p) => classOf(p.path) === classOf(all[0].path))
  await expect(thumb(page, bags[0].id)).toBeVisible()
  // ctrl-click the first bag, shift-click the sixth: six selected
  await thumb(page, bags[0].id).locator('button.open').click({ modifiers: ['Control'] })
  await thumb(page, bags[5].id).locator('button.open').click({ modifiers: ['Shift'] })
  await expect(page.getByTestId('selection-count')).toHaveText('6 selected')
  // while a selection exists a plain click adds to it
  await thumb(page, bags[7].id).locator('button.open').click()
  await expect(page.getByTestId('selection-count')).toHaveText('7 selected')
  await page.getByTestId('selection-label-input').fill('handbag')
  await page.getByTestId('selection-label').click()
  await expect(page.getByTestId('selection-bar')).toBeHidden()
  await expect(thumb(page, bags[0].id).getByTestId('thumb-user-label')).toHaveText('handbag')
  await expect(thumb(page, bags[6].id).getByTestId('thumb-user-label')).toHaveCount(0)

  await page.getByTestId('labels-button').click()
  const row = page.locator('[data-testid="label-row"][data-name="handbag"]')
  await expect(row.getByTestId('label-count')).toHaveText('7')
  await row.getByTestId('rename-label').click()
  await page.getByTestId('rename-input').fill('bag')
  await page.getByTestId('rename-save').click()
  await expect(page.locator('[data-testid="label-row"][data-name="bag"]').getByTestId('label-count')).toHaveText('7')
  await expect(thumb(page, bags[0].id).getByTestId('thumb-user-label')).toHaveText('bag')
  await shot(page, 'labels-panel')
  await page.keyboard.press('Escape')

  // unlabel one through the selection bar
  await thumb(page, bags[0].id).getByTestId('thumb-select').click()
  await page.getByTestId('selection-unlabel').click()
  await expect(thumb(page, bags[0].id).getByTestId('thumb-user-label')).toHaveCount(0)
  expect((await apiCall(app, 'labels', {})).labels).toEqual([{ name: 'bag', count: 6 }])
})

test('fine-tuning on 500 labelled photos: searches answer while it trains, search by a label, roll back', async ({ page }) => {
  const all = await photos()
  const byClass = new Map<string, number[]>()
  for (const p of all) byClass.set(classOf(p.path), [...(byClass.get(classOf(p.path)) ?? []), p.id])
  for (const [cls, ids] of byClass) await apiCall(app, 'assignLabel', { ids, label: cls })
  await page.goto(app.url)
  await page.getByTestId('sort').selectOption('folder')
  await page.getByTestId('labels-button').click()
  await page.getByTestId('train-supervised').click()
  const status = page.getByTestId('training-status')
  await expect(status).toHaveAttribute('data-phase', 'training')
  // the engine's thread is free while the worker trains: a search answers in the meantime
  await page.keyboard.press('Escape')
  await thumb(page, all[0].id).getByTestId('thumb-similar').click()
  await expect(page.getByTestId('result-count')).toBeVisible()
  expect((await apiCall(app, 'training', {})).phase).toBe('training')
  await shot(page, 'search-while-training')

  await page.getByTestId('labels-button').click()
  await expect(status).toHaveAttribute('data-phase', 'done', { timeout: 10 * 60_000 })
  await shot(page, 'training-done')
  const adaptors = await apiCall(app, 'adaptors', {})
  expect(adaptors.versions).toHaveLength(1)
  expect(adaptors.active).toBe(adaptors.versions[0].version)
  await expect(page.locator('[data-testid="adaptor-row"] input')).toBeChecked()
  await page.keyboard.press('Escape')

  // a label is a query now: most of its answers carry it
  await page.getByTestId('search-input').fill('sneaker')
  await page.getByTestId('search-input').press('Enter')
  await expect(page.getByTestId('result-count')).toBeVisible()
  const res = await apiCall(app, 'search', { query: { kind: 'text', text: 'sneaker' }, limit: 20 })
  expect(res.matched.via).toEqual(['your label'])
  expect(res.hits.filter((h: { path: string }) => classOf(h.path) === 'sneaker').length).toBeGreaterThanOrEqual(12)

  // roll back to the model's own embeddings
  await page.getByTestId('labels-button').click()
  await page.getByTestId('use-model').check()
  await expect.poll(async () => (await apiCall(app, 'adaptors', {})).active).toBeNull()
  await expect(page.getByTestId('use-model')).toBeChecked()
})
