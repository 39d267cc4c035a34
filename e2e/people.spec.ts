// People end to end in browser mode, in Debian's Chromium, on a small real library (face photos cut
// from what the face packages ship, face-api's group photos, photos without faces): faces found
// after indexing, the People screen, name a person, search the name, merge two people, take a face
// off a person, the person's photos, a name combined with words and with the person filter.
import { test, expect, type Page } from '@playwright/test'
import { copyFileSync, mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { copyGroupPhotos, writeFacePhotos } from '../fixtures/faces'
import { tempDir } from '../fixtures/photos'
import { apiCall, startApp, type AppServer } from './server'

const FACES = ['r1c1', 'r1c3', 'r1c5', 'r1c7', 'r1c9', 'r1c12', 'r1c16', 'r2c1', 'faceid', 'r5c2', 'r3c18', 'r4c3', 'r6c18']
const NO_FACES = ['coffee.png', 'chelsea.png', 'rocket.jpg']
let app: AppServer
let lib: string
let data: string

const shot = (page: Page, name: string) => page.screenshot({ path: test.info().outputPath(`${name}.png`), fullPage: false })

interface Person {
  id: number
  name: string
  faces: number
  photos: number
}

const people = async (): Promise<{ people: Person[]; faces: number; photos: number }> => apiCall(app, 'people', {})
const namesOf = async (id: number): Promise<Set<string>> => {
  const { faces } = await apiCall(app, 'personFaces', { id, limit: 500 })
  const names = await Promise.all(faces.map(async (f: { photo: number }) => (await apiCall(app, 'getPhoto', { id: f.photo })).name as string))
  return new Set(names.map((n) => n.replace(/\.(jpg|png)$/, '')))
}

test.beforeAll(async () => {
  lib = tempDir('mrl-people-')
  await writeFacePhotos(join(lib, 'faces'), (n) => FACES.includes(n))
  copyGroupPhotos(join(lib, 'groups'))
  mkdirSync(join(lib, 'other'))
  for (const f of NO_FACES) copyFileSync(`/usr/lib/python3/dist-packages/skimage/data/${f}`, join(lib, 'other', f))
  data = tempDir('mrl-people-data-')
  app = await startApp(data)
  await apiCall(app, 'addFolder', { path: lib })
  const total = FACES.length + 6 + NO_FACES.length
  // indexing, then the signals: every photo looked at for faces and the faces clustered
  await expect.poll(async () => (await people()).photos, { timeout: 10 * 60_000, intervals: [2000] }).toBe(total)
  await expect.poll(async () => (await apiCall(app, 'status', {})).progress.phase, { timeout: 60_000 }).toBe('done')
})

test.afterAll(async () => {
  await app?.stop()
  rmSync(lib, { recursive: true, force: true })
  rmSync(data, { recursive: true, force: true })
})

test('the People screen: name a person, search the name, merge, take a face off, combine with words and filters', async ({ page }) => {
  await page.goto(app.url)
  await expect(page.getByTestId('thumb').first()).toBeVisible()
  await page.getByTestId('nav-people').click()
  await expect(page.getByTestId('person-card').first()).toBeVisible()
  const before = await people()
  expect(before.faces).toBeGreaterThanOrEqual(FACES.length + 22)
  await shot(page, 'people-1440')

  // the person holding r1c1 is named through the screen
  let vlad = 0
  for (const p of before.people) if ((await namesOf(p.id)).has('r1c1')) vlad = p.id
  expect(vlad).toBeGreaterThan(0)
  await page.locator(`[data-person="${vlad}"] .open`).click()
  await expect(page.getByTestId('person-detail')).toBeVisible()
  await page.getByTestId('person-name').fill('Vladimir')
  await page.getByTestId('person-save').click()
  await expect.poll(async () => (await people()).people.find((p) => p.id === vlad)?.name).toBe('Vladimir')
  await shot(page, 'person-1440')

  // merge: Vladimir and another person holding one of his photos (or, if the clustering found them all, any other)
  await page.getByRole('button', { name: 'Back to everyone' }).click()
  let other = before.people.find((p) => p.id !== vlad)!.id
  for (const p of before.people) if (p.id !== vlad && [...(await namesOf(p.id))].some((n) => /^r[12]c|^faceid/.test(n))) other = p.id
  const vladFaces = (await people()).people.find((p) => p.id === vlad)!.faces
  const otherFaces = before.people.find((p) => p.id === other)!.faces
  await page.locator(`[data-person="${vlad}"]`).getByTestId('person-pick').check()
  await page.locator(`[data-person="${other}"]`).getByTestId('person-pick').check()
  await shot(page, 'merge-1440')
  await page.getByTestId('people-merge').click()
  await expect(page.locator(`[data-person="${other}"]`)).toHaveCount(0)
  const merged = (await people()).people.find((p) => p.id === vlad)!
  expect(merged.faces).toBe(vladFaces + otherFaces)
  expect(merged.name).toBe('Vladimir')

  // take a face off: the last face of Vladimir's
  await page.locator(`[data-person="${vlad}"] .open`).click()
  await expect(page.getByTestId('person-face')).toHaveCount(merged.faces)
  await page.getByTestId('face-remove').last().click()
  await expect(page.getByTestId('person-face')).toHaveCount(merged.faces - 1)
  const his = await namesOf(vlad)

  // the person's photos in the grid
  await page.getByTestId('person-photos').click()
  await expect(page.getByTestId('people-screen')).toBeHidden()
  await expect(page.getByTestId('thumb')).toHaveCount(his.size)
  // the person filter it set is shown, and cleared
  await page.getByTestId('filters-button').click()
  await expect(page.getByTestId('filter-person')).toHaveValue(`#${vlad}`)
  await shot(page, 'person-photos-1440')
  await page.getByTestId('filter-clear').click()
  await page.getByTestId('filters-button').click()

  // search by name, alone and with other words
  const search = async (text: string) => {
    await page.getByTestId('search-input').fill(text)
    await page.getByTestId('search-input').press('Enter')
    await expect(page.getByTestId('result-count')).toBeVisible()
  }
  const shownNames = async () => {
    const ids = await page.getByTestId('thumb').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-id'))))
    return Promise.all(ids.map(async (id) => ((await apiCall(app, 'getPhoto', { id })).name as string).replace(/\.(jpg|png)$/, '')))
  }
  await search('Vladimir')
  await expect(page.getByTestId('thumb')).toHaveCount(his.size)
  expect(new Set(await shownNames())).toEqual(his)
  await shot(page, 'search-name-1440')
  await search('Vladimir cardigan')
  for (const n of await shownNames()) expect(his.has(n)).toBe(true)
  const combined = await apiCall(app, 'search', { query: { kind: 'text', text: 'dog' }, filter: { person: 'Vladimir' }, relevance: 'all', limit: 100 })
  expect(combined.hits.length).toBeGreaterThan(0)
  for (const h of combined.hits) expect(his.has(h.name.replace(/\.(jpg|png)$/, ''))).toBe(true)

  // 800 px wide
  await page.setViewportSize({ width: 800, height: 900 })
  await page.getByTestId('nav-people').click()
  await expect(page.getByTestId('person-card').first()).toBeVisible()
  await shot(page, 'people-800')
  await page.locator(`[data-person="${vlad}"] .open`).click()
  await expect(page.getByTestId('person-detail')).toBeVisible()
  await shot(page, 'person-800')
})

test('a people list that cannot be read says why and offers to try again, instead of "Loading people…" for good', async ({ page }) => {
  await page.route('**/api/people', (route) => route.fulfill({ status: 500, contentType: 'application/json', body: JSON.stringify({ error: 'the people tables are busy' }) }))
  await page.goto(app.url)
  await expect(page.getByTestId('thumb').first()).toBeVisible()
  await page.getByTestId('nav-people').click()
  await expect(page.getByTestId('people-error')).toContainText('the people tables are busy')
  await expect(page.getByTestId('people-screen')).not.toContainText('Loading people')
  await page.setViewportSize({ width: 1440, height: 900 })
  await shot(page, 'people-error-1440')
  await page.setViewportSize({ width: 800, height: 900 })
  await shot(page, 'people-error-800')
  await page.unroute('**/api/people')
  await page.getByTestId('people-error').getByRole('button', { name: 'Try again' }).click()
  await expect(page.getByTestId('person-card').first()).toBeVisible()
  await expect(page.getByTestId('people-error')).toHaveCount(0)
})
