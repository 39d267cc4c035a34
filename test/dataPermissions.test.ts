// The data folder holds thumbnails of every photo, their paths, EXIF and GPS: other users of the
// machine must not read it. A folder the app makes is 0700 with 0600 files; one an older build
// made readable (0755, 0644) is closed when it is opened.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { chmodSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Engine } from '../src/main/app/engine.ts'
import { ROOT, cifarLibrary, removeDirs, tempDir } from '../fixtures/photos.ts'

const mode = (path: string) => statSync(path).mode & 0o777
const octal = (m: number) => m.toString(8).padStart(4, '0')

/** Every folder and file under `dir` (itself included) that others could read, list or write. */
function openToOthers(dir: string): string[] {
  const out: string[] = []
  const walk = (path: string) => {
    const st = statSync(path)
    if (st.mode & 0o077) out.push(`${path} ${octal(st.mode & 0o777)}`)
    if (st.isDirectory()) for (const name of readdirSync(path)) walk(join(path, name))
  }
  walk(dir)
  return out
}

test('a data folder the CLI creates and indexes into is 0700, every file in it 0600 (thumbnails, index, lock)', () => {
  const lib = cifarLibrary(1)
  const parent = tempDir('mrl-perm-')
  const data = join(parent, 'data')
  try {
    execFileSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src/main/shells/cli/main.ts'), '--data', data, 'index', lib], { cwd: ROOT, stdio: 'pipe', env: { ...process.env } })
    assert.equal(mode(data), 0o700)
    assert.ok(readdirSync(join(data, 'thumbs')).length >= 10, 'thumbnails were written')
    assert.deepEqual(openToOthers(data), [])
  } finally {
    removeDirs(lib, parent)
  }
})

test('an existing data folder readable by others (an older build) is closed when opened: 0700 folders, 0600 files', async () => {
  const data = tempDir('mrl-perm-')
  try {
    chmodSync(data, 0o755)
    for (const sub of ['thumbs', 'tmp', 'adaptors']) mkdirSync(join(data, sub), { mode: 0o755 })
    writeFileSync(join(data, 'dial.json'), '[]', { mode: 0o644 })
    chmodSync(join(data, 'thumbs'), 0o755)
    chmodSync(join(data, 'dial.json'), 0o644)
    const engine = await Engine.open({ dataDir: data })
    await engine.close()
    assert.equal(octal(mode(data)), '0700')
    for (const sub of ['thumbs', 'tmp', 'adaptors']) assert.equal(octal(mode(join(data, sub))), '0700', sub)
    assert.equal(octal(mode(join(data, 'dial.json'))), '0600')
  } finally {
    removeDirs(data)
  }
})
