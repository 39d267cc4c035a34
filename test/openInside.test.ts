// The one safe open (adapters/fs/openInside.ts): what passes is the open descriptor, so a symlink,
// a pipe or a folder never reads as a photo, and a file outside the library folders is refused.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync, spawn } from 'node:child_process'
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

test('a folder swapped back and forth with a link to outside never lets an outside file through', async () => {
  const lib = realpathSync(tempDir('mrl-open-'))
  const outside = realpathSync(tempDir('mrl-outside-'))
  mkdirSync(join(lib, 'swap'))
  mkdirSync(join(outside, 'swap'))
  writeFileSync(join(lib, 'swap', 'a.jpg'), 'inside')
  writeFileSync(join(outside, 'swap', 'a.jpg'), 'outside')
  symlinkSync(join(outside, 'swap'), join(lib, 'swap-link'))
  // renameat2(RENAME_EXCHANGE) in a loop for 3 s: the folder and the link trade places
  const swapper = spawn('python3', ['-c', 'import ctypes,sys,time\nc=ctypes.CDLL(None)\ne=time.time()+3\nwhile time.time()<e: c.renameat2(-100,sys.argv[1].encode(),-100,sys.argv[2].encode(),2)', join(lib, 'swap'), join(lib, 'swap-link')])
  const seen = new Map<string, number>()
  try {
    while (swapper.exitCode === null) {
      for (const p of [join(lib, 'swap', 'a.jpg'), join(lib, 'swap-link', 'a.jpg')]) {
        let got = 'refused'
        try {
          const fh = await openInside(p, [lib])
          got = (await fh.readFile()).toString()
          await fh.close()
        } catch (err) {
          if (!(err instanceof OutsideLibraryError) && !(err as NodeJS.ErrnoException).code) throw err
        }
        seen.set(got, (seen.get(got) ?? 0) + 1)
      }
    }
  } finally {
    swapper.kill('SIGKILL')
    removeDirs(lib, outside)
  }
  console.log(`# ${JSON.stringify(Object.fromEntries(seen))}`)
  assert.ok((seen.get('inside') ?? 0) > 0 && (seen.get('refused') ?? 0) > 0, 'the race was run')
  assert.equal(seen.get('outside') ?? 0, 0, 'an outside file was read')
})
