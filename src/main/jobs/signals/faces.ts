// The faces signal: each photo's faces (boxes and scores; signal_faces), found in the faces worker
// on the original decoded at up to 1280 px, after the embedding. Each face's embedding goes to
// face_vectors and its crop to the data folder, both under the face's key (the file's hash and the
// face's index); `changed` hands the faces on to be clustered into people (services/people.ts).
import { mkdir } from 'node:fs/promises'
import { dataLayout } from '../../adapters/fs/dataLayout'
import { writeFileAtomicSync } from '../../adapters/fs/atomicWrite'
import { FaceVectorTable } from '../../adapters/lance/faceTables'
import { FACE_DIMS } from '../../adapters/faces/dims'
import { FaceClient } from '../../adapters/workers/faceClient'
import type { SignalDefinition } from '../signals'

export const FACES = 'faces'

export interface PhotoFaces {
  /** x, y, width, height as fractions of the upright photo's sides; score: the detector's */
  faces: { box: [number, number, number, number]; score: number }[]
}

/** A face's key: the photo file's content hash and the face's index (largest face first). */
export const faceKey = (hash: string, index: number): string => `${hash}#${index}`

/** photos smaller than this (shorter side, px) have no face worth finding */
const MIN_SIDE = 48

const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits

export interface FacesDeps {
  dataDir: string
  /** every up-to-date photo's faces, after a run and at open */
  changed(values: ReadonlyMap<number, PhotoFaces>): Promise<void>
}

export function facesSignal(deps: FacesDeps): SignalDefinition<PhotoFaces> {
  let client: FaceClient | null = null
  let vectors: FaceVectorTable | null = null
  const layout = dataLayout(deps.dataDir)
  return {
    name: FACES,
    version: 'faces-1',
    async start() {
      client = new FaceClient()
      vectors = await FaceVectorTable.open(deps.dataDir, FACE_DIMS)
      await mkdir(layout.faceCrops, { recursive: true })
    },
    async stop() {
      await client?.close()
      await vectors?.optimize()
      vectors?.close()
      client = null
      vectors = null
    },
    async compute({ photo, open }) {
      // a face needs some 20 px to be found at all: a thumbnail-sized photo is not opened
      if (Math.min(photo.width, photo.height) < MIN_SIDE) return { faces: [] }
      if (!client?.alive || !vectors) throw new Error('the faces signal was not started')
      const handle = await open()
      let bytes: Buffer
      try {
        bytes = await handle.readFile()
      } finally {
        await handle.close()
      }
      const found = await client.detect(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length))
      const keys = found.faces.map((_, i) => faceKey(photo.hash, i))
      found.faces.forEach((f, i) => writeFileAtomicSync(layout.faceCrop(keys[i]), f.crop))
      await vectors.put(found.faces.map((f, i) => ({ key: keys[i], vector: f.embedding })))
      return { faces: found.faces.map((f) => ({ box: f.box.map((v) => round(v, 5)) as PhotoFaces['faces'][0]['box'], score: round(f.score, 3) })) }
    },
    changed: (values) => deps.changed(values)
  }
}
