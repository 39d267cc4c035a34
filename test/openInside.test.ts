// The one safe open (adapters/fs/openInside.ts): what passes is the open descriptor, so a symlink,
// a pipe or a folder never reads as a photo, and a file outside the library folders is refused.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { openInside, OutsideLibraryError } from '../src/main/adapters/fs/openInside.ts'
import { removeDirs, tempDir } from '../fixtures/photos.ts'

test('a file inside a library folder opens, and reads what the folder holds', async () => {
  const lib = realpathSync(tempDir('mrl-open-'))
  writeFileSync(join(lib, 'a.jpg'), 'inside')
  const fh = await openInside(join(lib, 'a.jpg'), [lib])
  assert.equal((await fh.readFile()).toString(), 'inside')
  await fh.close()
  removeDirs(lib)
})

test('a symlink to a file outside the library folders is refused', async () => {
  const lib = realpathSync(tempDir('mrl-open-'))
  const outside = realpathSync(tempDir('mrl-outside-'))
  writeFileSync(join(outside, 'secret.jpg'), 'secret')
  symlinkSync(join(outside, 'secret.jpg'), join(lib, 'link.jpg'))
  await assert.rejects(openInside(join(lib, 'link.jpg'), [lib]), OutsideLibraryError)
  // the same link is fine when its target's folder is a library folder too
  const fh = await openInside(join(lib, 'link.jpg'), [lib, outside])
  await fh.close()
  removeDirs(lib, outside)
})

test('a named pipe is refused at once instead of blocking the run', async () => {
  const lib = realpathSync(tempDir('mrl-open-'))
  execFileSync('mkfifo', [join(lib, 'pipe.jpg')])
  await assert.rejects(openInside(join(lib, 'pipe.jpg'), [lib]), /not a regular file/)
  mkdirSync(join(lib, 'dir.jpg'))
  await assert.rejects(openInside(join(lib, 'dir.jpg'), [lib]), /not a regular file|EISDIR/)
  removeDirs(lib)
})
