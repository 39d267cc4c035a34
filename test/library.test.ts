// The incremental plan: what a re-index processes, keeps and removes (one file at a time, as the scan streams).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Planner, type FileOnDisk, type Known } from '../src/main/adapters/fs/folderScan.ts'

const file = (path: string, size = 10, mtimeMs = 1000): FileOnDisk => ({ path, folder: '/lib', size, mtimeMs })

test('new, changed and re-embedded files are processed; unchanged and known-bad ones are not; gone ones are removed', () => {
  const indexed = new Map<string, Known>([
    ['/lib/same.jpg', { id: 1, size: 10, mtime_ms: 1000 }],
    ['/lib/edited.jpg', { id: 2, size: 10, mtime_ms: 1000 }],
    ['/lib/old-model.jpg', { id: 3, size: 10, mtime_ms: 1000, stale: true }],
    ['/lib/gone.jpg', { id: 4, size: 10, mtime_ms: 1000 }]
  ])
  const skipped = new Map([
    ['/lib/bad.jpg', { size: 10, mtime_ms: 1000 }],
    ['/lib/fixed.jpg', { size: 10, mtime_ms: 1000 }]
  ])
  const onDisk = [file('/lib/same.jpg'), file('/lib/edited.jpg', 12, 2000), file('/lib/old-model.jpg'), file('/lib/new.jpg'), file('/lib/bad.jpg'), file('/lib/fixed.jpg', 11, 3000)]
  const planner = new Planner((path) => indexed.get(path), skipped)
  // a file listed twice (two ways to the same path) is planned once
  const toIndex = [...onDisk, file('/lib/edited.jpg', 12, 2000)].flatMap((f) => planner.next(f) ?? [])
  assert.deepEqual(
    toIndex.map((f) => [f.path, f.id]),
    [['/lib/edited.jpg', 2], ['/lib/old-model.jpg', 3], ['/lib/new.jpg', null], ['/lib/fixed.jpg', null]]
  )
  assert.deepEqual(planner.gone([...indexed.values()].map((k) => k.id)), [4])
  assert.equal(planner.unchanged, 1)
  assert.deepEqual([...planner.stillSkipped], ['/lib/bad.jpg'])
})
