// The Duplicates screen in browser mode: groups of made copies side by side with the copy to keep
// marked, similar photos apart, and the export of a group and of all groups as lists of paths.
import { test, expect, type Page } from '@playwright/test'
import { readFileSync, rmSync } from 'node:fs'
import { tempDir } from '../fixtures/photos'
import { duplicateLibrary, type DuplicateLibrary } from '../fixtures/duplicates'
import { apiCall, startApp, type AppServer } from './server'

test.use({ actionTimeout: 30_000 })

let app: AppServer
let lib: DuplicateLibrary
let data: string

const shot = (page: Page, name: string) => page.screenshot({ path: test.info().outputPath(`${name}.png`) })

test.beforeAll(async () => {
  lib = await duplicateLibrary({ classes: 4, perClass: 4, offset: 20, withCopies: 1, wallpapers: 2, wallpaperOffset: 2 })
  data = tempDir()
  app = await startApp(data)
  await apiCall(app, 'addFolder', { path: lib.dir })
  const photos = lib.groups.reduce((n, g) => n + 1 + g.copies.length, 0)
  await expect.poll(async () => (await apiCall(app, 'status', {})).photos, { timeout: 5 * 60_000 }).toBe(photos)
  // the signals run after indexing: wait until every source with copies has its group
  await expect.poll(async () => (await apiCall(app, 'duplicates', { kind: 'duplicates' })).groups.length, { timeout: 5 * 60_000 }).toBeGreaterThanOrEqual(lib.groups.filter((g) => g.copies.length).length - 1)
})

test.afterAll(async () => {
  await app?.stop()
  rmSync(lib.dir, { recursive: true, force: true })
  rmSync(data, { recursive: true, force: true })
})

test('groups of copies side by side, the copy to keep marked, exported as lists of paths', async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 })
  await page.goto(app.url)
  await page.getByTestId('nav-duplicates').click()
  await expect(page.getByTestId('dups-group').first()).toBeVisible()
  const groups = page.getByTestId('dups-group')
  const n = await groups.count()
  expect(n).toBeGreaterThanOrEqual(lib.groups.filter((g) => g.copies.length).length - 1)
  // every group marks one copy to keep, shown first
  for (let i = 0; i < n; i++) {
    await expect(groups.nth(i).getByTestId('dups-keep')).toHaveCount(1)
    await expect(groups.nth(i).getByTestId('dups-photo').first()).toHaveAttribute('data-best', 'true')
  }
  await shot(page, 'duplicates-1440')

  // a wallpaper's group: the 800 px JPEG source (or its identical copy) is the one to keep
  const wall = lib.groups.find((g) => g.cls === 'wallpaper')!
  const res = await apiCall(app, 'duplicates', { kind: 'duplicates' })
  const group = res.groups.find((g: { photos: { path: string }[] }) => g.photos.some((p) => p.path === wall.source))
  const kept = group.photos.find((p: { id: number }) => p.id === group.best).path
  expect([wall.source, wall.copies.find((c) => c.kind === 'exact')!.path]).toContain(kept)

  // export all: one path per line, each group's copy to keep first
  const [all] = await Promise.all([page.waitForEvent('download'), page.getByTestId('dups-export-all').click()])
  const text = readFileSync((await all.path())!, 'utf8')
  expect(all.suggestedFilename()).toBe('duplicates.txt')
  for (const p of [wall.source, ...wall.copies.map((c) => c.path)]) expect(text).toContain(p)
  const blocks = text.trim().split('\n\n')
  expect(blocks.length).toBe(n)
  const wallBlock = blocks.find((b) => b.includes(wall.source))!
  expect(wallBlock.split('\n')[1]).toBe(kept)

  // one group
  const [one] = await Promise.all([page.waitForEvent('download'), groups.first().getByTestId('dups-export-group').click()])
  expect(readFileSync((await one.path())!, 'utf8').trim().split('\n\n')).toHaveLength(1)

  // similar photos are a tab of their own; nothing was deleted or moved
  await page.getByTestId('dups-tab-similar').click()
  await expect(page.getByTestId('dups-tab-similar')).toHaveAttribute('aria-selected', 'true')
  expect((await apiCall(app, 'status', {})).photos).toBe(lib.groups.reduce((s, g) => s + 1 + g.copies.length, 0))
  await page.getByTestId('dups-tab-copies').click()
  await page.setViewportSize({ width: 800, height: 900 })
  await shot(page, 'duplicates-800')
})
