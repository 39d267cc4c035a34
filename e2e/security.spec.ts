// The token leaves URLs, in a real browser: once the page has loaded, neither the address bar nor
// any image, stream or other request the page made carries the token; media go by an HttpOnly,
// SameSite=Strict cookie that a reload keeps. A media URL opened in a tab shows the photo, and a
// photo whose bytes became SVG runs nothing.
import { test, expect } from '@playwright/test'
import { rmSync, writeFileSync } from 'node:fs'
import { cifarLibrary, tempDir } from '../fixtures/photos'
import { apiCall, startApp, type AppServer } from './server'

let app: AppServer
let lib: string
let data: string

test.beforeAll(async () => {
  lib = cifarLibrary(2)
  data = tempDir()
  app = await startApp(data)
  await apiCall(app, 'addFolder', { path: lib })
  await expect.poll(async () => (await apiCall(app, 'status', {})).photos, { timeout: 120_000 }).toBe(20)
})

test.afterAll(async () => {
  await app?.stop()
  rmSync(lib, { recursive: true, force: true })
  rmSync(data, { recursive: true, force: true })
})

/** Every thumbnail in the grid has loaded (a broken image has naturalWidth 0). */
async function thumbsLoaded(page: import('@playwright/test').Page): Promise<void> {
  await expect(page.getByTestId('thumb').first()).toBeVisible()
  await expect
    .poll(() => page.locator('[data-testid="thumb"] img').evaluateAll((imgs) => imgs.length > 0 && imgs.every((i) => (i as HTMLImageElement).complete && (i as HTMLImageElement).naturalWidth > 0)))
    .toBe(true)
}

test('after load no URL the page shows or requests carries the token; media load by an HttpOnly, SameSite=Strict cookie', async ({ page, context }) => {
  const requested: string[] = []
  page.on('request', (r) => requested.push(r.url()))
  await page.goto(app.url)
  await thumbsLoaded(page)
  // the address bar and the history entry lost the token
  await expect.poll(() => page.evaluate(() => location.href)).not.toContain('token')
  expect(page.url()).not.toContain(app.token)
  // no image, stream or fetch after the page itself carried it
  const srcs = await page.locator('img').evaluateAll((imgs) => imgs.map((i) => (i as HTMLImageElement).src))
  expect(srcs.length).toBeGreaterThan(0)
  for (const src of srcs) expect(src).not.toContain(app.token)
  expect(requested[0]).toContain(app.token) // the launch URL itself
  const after = requested.slice(1)
  expect(after.some((u) => u.includes('/media/thumb/'))).toBe(true)
  expect(after.some((u) => u.includes('/api/events'))).toBe(true)
  for (const u of after) expect(u).not.toContain(app.token)
  // the cookie: HttpOnly (the page cannot read it), SameSite=Strict, for this launch, not the token
  const cookies = await context.cookies(app.origin)
  expect(cookies).toHaveLength(1)
  expect(cookies[0]).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' })
  expect(cookies[0].value).not.toBe(app.token)
  expect(await page.evaluate(() => document.cookie)).toBe('')

  // a reload (no token in the URL now) still shows the photos and still calls the API
  await page.reload()
  await thumbsLoaded(page)
  await expect(page.getByTestId('photo-count')).toContainText('20')
  expect(page.url()).not.toContain(app.token)
})

test('a media URL opened in a tab shows the photo; a photo whose bytes became SVG runs nothing', async ({ page }) => {
  await page.goto(app.url) // sets the cookie
  await thumbsLoaded(page)
  const { photos } = await apiCall(app, 'listPhotos', { offset: 0, limit: 2 })
  const [shown, svg] = photos as { id: number; path: string }[]

  const tab = await page.context().newPage()
  const res = await tab.goto(`${app.origin}/media/photo/${shown.id}`)
  expect(res?.status()).toBe(200)
  expect(res?.headers()['content-security-policy']).toMatch(/sandbox/)
  // the browser's own image viewer still shows it under the sandboxing CSP
  await expect.poll(() => tab.evaluate(() => (document.querySelector('img') as HTMLImageElement | null)?.naturalWidth ?? 0)).toBeGreaterThan(0)

  writeFileSync(svg.path, '<svg xmlns="http://www.w3.org/2000/svg" onload="window.ran = 1; alert(1)"><script>window.ran = 2; alert(2)</script></svg>')
  const dialogs: string[] = []
  tab.on('dialog', (d) => (dialogs.push(d.message()), d.dismiss()))
  const refused = await tab.goto(`${app.origin}/media/photo/${svg.id}`)
  expect(refused?.status()).toBe(415)
  expect(refused?.headers()['content-type']).toMatch(/^application\/json/)
  await tab.waitForTimeout(300)
  expect(dialogs).toEqual([])
  expect(await tab.evaluate(() => (window as unknown as { ran?: number }).ran ?? null)).toBeNull()
  await tab.close()
})
