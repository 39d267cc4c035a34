// The faces worker on real photographs (Debian wallpapers and scikit-image samples, described by hand
// in test/realPhotos.json): a person facing the camera is a face; a ladybird, a cat, a fig, a sunset
// or a motorbike is not. The detector alone took 9 such things for faces on these photos; the mesh's
// face score drops them. Dogs looking into the camera are left out of the count either way.
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { basename } from 'node:path'
import { FaceClient } from '../src/main/adapters/workers/faceClient.ts'
import { copyRealPhotos, removeDirs, tempDir, type RealPhoto } from '../fixtures/photos.ts'

const dir = tempDir('mrl-real-faces-')
const client = new FaceClient()
after(async () => {
  await client.close()
  removeDirs(dir)
})

const PEOPLE = ['person', 'people']
const facing = (p: RealPhoto) => p.concepts.some((c) => PEOPLE.includes(c))

test('faces are found on the photos of people and on no photo of things, plants, insects or a cat', async () => {
  const described: RealPhoto[] = [] // in the order copied
  const paths = copyRealPhotos(dir, (p) => {
    const take = p.photo && !p.concepts.includes('dog') && existsSync(p.path)
    if (take) described.push(p)
    return take
  })
  assert.equal(paths.length, described.length, 'one copy per photo taken')
  assert.ok(paths.length >= 20, `only ${paths.length} real photos are installed (.ci/run installs the packages)`)
  const wrong: string[] = []
  let people = 0
  for (const [i, path] of paths.entries()) {
    const found = await client.detect(new Uint8Array(readFileSync(path)))
    if (facing(described[i])) {
      people++
      assert.equal(found.faces.length, 1, `${basename(path)}: one person, ${found.faces.length} faces`)
    } else if (found.faces.length) wrong.push(`${basename(path)} (${found.faces.map((f) => f.score.toFixed(2)).join(', ')})`)
  }
  assert.ok(people >= 2, 'the astronaut and the cameraman are among the photos')
  assert.deepEqual(wrong, [], 'faces on photos without a person')
})
