// What the launcher (scripts/start.mjs) adds to the app's environment: glibc's malloc settings on
// Linux, never over a value the user set, and nothing elsewhere.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT } from '../fixtures/photos.ts'
import { LAUNCH_ENV, launchEnv } from '../scripts/launchEnv.mjs'

test('the launcher adds the malloc settings on Linux, keeps a value the user set, and passes the rest through', () => {
  const env = launchEnv({ PATH: '/bin', MALLOC_ARENA_MAX: '8' })
  assert.equal(env.PATH, '/bin')
  if (process.platform === 'linux') {
    assert.equal(env.MALLOC_ARENA_MAX, '8')
    assert.equal(env.MALLOC_MMAP_THRESHOLD_, LAUNCH_ENV.MALLOC_MMAP_THRESHOLD_)
    assert.ok(Number(env.MALLOC_MMAP_THRESHOLD_) >= 1 << 20, 'a threshold under a search buffer maps and unmaps it on every query')
  } else assert.deepEqual(LAUNCH_ENV, {})
})

test('both ways the launcher starts the app (Electron and browser mode) pass the launch environment', () => {
  const start = readFileSync(join(ROOT, 'scripts', 'start.mjs'), 'utf8')
  assert.equal(start.match(/env: launchEnv\(\)/g)?.length, 2)
})
