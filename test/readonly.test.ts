// The library is read-only to the app: a whole session (index, every kind of search, media over
// HTTP, labels, training an adaptor, applying and rolling it back, re-index, remove the folder)
// leaves every byte, name, mode and timestamp of the photo folders as it was.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { lstatSync, readFileSync, readdirSync, readlinkSync, rmSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import { Engine } from '../src/main/app/engine.ts'
import { startServer } from '../src/main/shells/server.ts'
import { cifarLibrary, tempDir } from '../fixtures/photos.ts'

/** Everything about a tree except access times (reading a file is allowed to change those). */
function snapshot(root: string): Map<string, string> {
  const out = new Map<string, string>()
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name)
      const s = lstatSync(path, { bigint: true })
      const common = `mode=${s.mode} uid=${s.uid} size=${s.size} mtime=${s.mtimeNs} ctime=${s.ctimeNs} ino=${s.ino}`
      if (s.isSymbolicLink()) out.set(path, `link -> ${readlinkSync(path)} ${common}`)
      else if (s.isDirectory()) {
        out.set(path, `dir [${readdirSync(path).sort().join('|')}] ${common}`)
        walk(path)
      } else out.set(path, `file sha256=${createHash('sha256').update(readFileSync(path)).digest('hex')} ${common}`)
    }
  }
  const s = lstatSync(root, { bigint: true })
  out.set(root, `root [${readdirSync(root).sort().join('|')}] mode=${s.mode} mtime=${s.mtimeNs} ctime=${s.ctimeNs}`)
  walk(root)
  return out
}

test('a full session never writes to, renames, touches or deletes anything in the photo folders', async () => {
  const lib = cifarLibrary(5) // 50 photos
  symlinkSync('cat', join(lib, 'cats-again')) // a symlinked folder inside the library is followed
  const data = tempDir()
  const renderer = tempDir('mrl-renderer-')
  const before = snapshot(lib)
  assert.ok(before.size > 60)
  try {
    const engine = await Engine.open({ dataDir: data })
    const server = await startServer({ engine, rendererDir: renderer })
    try {
      await engine.addFolder({ path: lib })
      await engine.idle()
      const { photos } = await engine.listPhotos({ offset: 0, limit: 500 })
      assert.ok(photos.length >= 50)
      const photo = photos[0]
      await engine.search({ query: { kind: 'photo', id: photo.id }, dial: 0, limit: 10 })
      await engine.search({ query: { kind: 'photo', id: photo.id }, dial: 1, limit: 10, filter: { folder: 'cat' } })
      await engine.search({ query: { kind: 'text', text: 'animal' }, dial: 0.5, limit: 10 })
      await engine.search({ query: { kind: 'image', data: readFileSync(photo.path).toString('base64') }, limit: 10 })
      await engine.getPhoto({ id: photo.id })
      await engine.skipped()
      for (const p of photos.slice(0, 10)) {
        for (const kind of ['photo', 'thumb']) {
          const res = await fetch(`${server.origin}/media/${kind}/${p.id}`, { headers: { 'x-mrl-token': server.token } })
          assert.equal(res.status, 200)
          await res.arrayBuffer()
        }
      }
      // labels and an adaptor trained on them: all of it lives in the data folder
      await engine.createLabel({ name: 'pets' })
      const inFolder = (cls: string) => photos.filter((p) => p.path.includes(`/${cls}/`)).map((p) => p.id)
      await engine.assignLabel({ ids: [...inFolder('cat'), ...inFolder('dog')], label: 'pets' })
      await engine.assignLabel({ ids: [...inFolder('automobile'), ...inFolder('truck')], label: 'vehicles' })
      await engine.renameLabel({ from: 'vehicles', to: 'wheels' })
      await engine.train({ kind: 'supervised' })
      await engine.trainingIdle()
      const run = await engine.training()
      assert.equal(run.phase, 'done', run.message)
      const { versions } = await engine.adaptors()
      assert.deepEqual(versions.map((v) => v.classes), [['pets', 'wheels']])
      const byLabel = await engine.search({ query: { kind: 'text', text: 'pets' }, dial: 1, limit: 10 })
      assert.deepEqual(byLabel.matched?.via, ['your label'])
      await engine.suggestions({ limit: 10 })
      await engine.useAdaptor({ version: null }) // roll back
      await engine.search({ query: { kind: 'photo', id: photo.id }, dial: 0.5, limit: 10 })
      await engine.useAdaptor({ version: versions[0].version }) // and apply again
      await engine.assignLabel({ ids: inFolder('dog'), label: null })
      await engine.deleteLabel({ name: 'wheels' })
      await engine.reindex()
      await engine.idle()
      await engine.removeFolder({ path: lib })
      await engine.idle()
      assert.equal((await engine.status()).photos, 0)
    } finally {
      await server.close()
      await engine.close()
    }
    const after = snapshot(lib)
    assert.deepEqual([...after.keys()], [...before.keys()], 'same names')
    for (const [path, was] of before) assert.equal(after.get(path), was, path)
  } finally {
    for (const d of [lib, data, renderer]) rmSync(d, { recursive: true, force: true })
  }
})
