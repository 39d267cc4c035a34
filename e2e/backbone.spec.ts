// The training panel's "Fine-tune the whole model (PyTorch)" option in browser mode: disabled, with
// what is missing, where the Python it finds has no PyTorch (a real venv of Debian's python3); on
// offer where it has (Debian's python3-torch), and a clear error when there are no labels yet.
import { test, expect, type Page } from '@playwright/test'
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { cifarLibrary, removeDirs, tempDir } from '../fixtures/photos'
import { apiCall, startApp, type AppServer } from './server'

let venv: string
let lib: string
const dirs: string[] = []

test.beforeAll(() => {
  venv = tempDir('mrl-venv-')
  execFileSync('/usr/bin/python3', ['-m', 'venv', '--without-pip', venv])
  lib = cifarLibrary(2)
  dirs.push(venv, lib)
})

test.afterAll(() => removeDirs(...dirs))

/** The app on a fresh data folder with 20 photos indexed, looking for Python only where MRL_PYTHON says (unset: the defaults). */
async function withApp(page: Page, python: string | undefined, fn: (app: AppServer) => Promise<void>): Promise<void> {
  const data = tempDir()
  dirs.push(data)
  const saved = process.env.MRL_PYTHON
  if (python) process.env.MRL_PYTHON = python
  else delete process.env.MRL_PYTHON
  const app = await startApp(data) // the server inherits this environment
  if (saved === undefined) delete process.env.MRL_PYTHON
  else process.env.MRL_PYTHON = saved
  try {
    await apiCall(app, 'addFolder', { path: lib })
    await expect.poll(async () => (await apiCall(app, 'status', {})).progress.phase, { timeout: 180_000 }).toBe('done')
    await fn(app)
  } finally {
    await page.goto('about:blank') // the server's close waits for the page's progress stream
    await app.stop()
  }
}

test('without PyTorch the option is disabled and says what is missing', async ({ page }) => {
  await withApp(page, join(venv, 'bin', 'python'), async (app) => {
    await page.goto(app.url)
    await page.getByTestId('labels-button').click({ timeout: 60_000 })
    await expect(page.getByTestId('backbone-missing')).toContainText('PyTorch is not installed for Python 3')
    await expect(page.getByTestId('train-backbone')).toBeDisabled()
    await expect(page.getByTestId('train-backbone')).toHaveText('Fine-tune the whole model (PyTorch)')
    await page.screenshot({ path: test.info().outputPath('backbone-missing.png') })
  })
})

test('with PyTorch the option is offered; without labels it says what to do first', async ({ page }) => {
  await withApp(page, undefined, async (app) => {
    await page.goto(app.url)
    await page.getByTestId('labels-button').click({ timeout: 60_000 })
    await expect(page.getByTestId('train-backbone')).toBeEnabled({ timeout: 120_000 })
    await expect(page.getByTestId('backbone-missing')).toHaveCount(0)
    await page.getByTestId('train-backbone').click()
    await expect(page.getByText('label at least 2 photos in each of at least 2 labels first')).toBeVisible()
  })
})
