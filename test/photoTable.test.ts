// The columnar photo rows answer exactly like the Map of objects they replace, through random
// sets, replacements and deletes (nulls, unicode paths, names that are not the path's last part,
// hashes that are not hex), and the string heap compacts without losing a row.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { PhotoTable } from '../src/main/space/photoTable.ts'
import type { PhotoMeta } from '../src/main/ports/photos.ts'

function row(id: number, k: number): PhotoMeta {
  const odd = k % 2 === 1
  return {
    id,
    path: `/photos/${odd ? 'été' : 'summer'}/${k % 7}/IMG_${k}.jpg`,
    folder: `/photos/${k % 3}`,
    name: k % 5 === 0 ? `renamed ${k}.jpg` : `IMG_${k}.jpg`,
    hash: k % 11 === 0 ? `not-hex-${k}` : (k * 2654435761 >>> 0).toString(16).padStart(8, '0').repeat(5),
    size: k * 1000 + 0.5,
    mtime_ms: 1.7e12 + k,
    width: 4000 + k,
    height: 3000,
    taken_at: odd ? null : `2023-0${(k % 9) + 1}-01T10:00:00`,
    camera: k % 4 === 0 ? null : `Camera ${k % 4}`,
    lens: null,
    latitude: odd ? null : 48.85 + k / 1e6,
    longitude: odd ? null : -2.35,
    orientation: k % 3 === 0 ? null : (k % 8) + 1,
    label: `label ${k % 13}`,
    label_conf: 1 / (k + 1),
    label_dims: 64,
    model: 'mrl-photo'
  }
}

test('the photo table answers like a Map of PhotoMeta through sets, replacements and deletes', () => {
  const table = new PhotoTable()
  const map = new Map<number, PhotoMeta>()
  let seed = 7
  const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) >>> 0) % n)
  for (let step = 0; step < 6000; step++) {
    const id = rand(2500)
    if (rand(4) === 0) assert.equal(table.delete(id), map.delete(id))
    else {
      const m = row(id, step)
      table.set(id, m)
      map.set(id, m)
    }
  }
  assert.equal(table.size, map.size)
  for (const [id, m] of map) assert.deepEqual(table.get(id), m)
  assert.equal(table.get(99999), undefined)
  assert.ok(!table.has(99999))
  assert.deepEqual([...table.keys()].sort((a, b) => a - b), [...map.keys()].sort((a, b) => a - b))
  assert.deepEqual(new Map(table), map)
  assert.deepEqual(new Map([...table.values()].map((m) => [m.id, m])), map)
  assert.throws(() => table.set(1, row(2, 2)), /set under id/)
})

test('deleting most rows compacts the string heap and keeps the rest intact', () => {
  const table = new PhotoTable()
  const n = 30000
  for (let i = 0; i < n; i++) table.set(i, row(i, i))
  const before = table.bytes
  for (let i = 0; i < n; i++) if (i % 10) table.delete(i)
  assert.equal(table.size, n / 10)
  for (let i = 0; i < n; i += 10) assert.deepEqual(table.get(i), row(i, i))
  assert.ok(table.bytes < before, `${table.bytes} bytes after, ${before} before`)
})
