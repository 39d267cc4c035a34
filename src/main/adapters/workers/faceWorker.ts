// Worker thread for faces: decodes a photo at up to 1280 px (sharp shrinks JPEGs on load), finds its
// faces and embeds them; and clusters faces into people over the stored embeddings, fitting this
// library's face space (principal axes + the unsupervised Matryoshka adaptor) when it has grown.
import { existsSync, readFileSync } from 'node:fs'
import { parentPort } from 'node:worker_threads'
import sharp from 'sharp'
import { assignFaces, faceCrop } from '../../../core/faces'
import { fitFaceSpace, loadFaceSpace, saveFaceSpace, toFaceSpace, type FaceSpace, type SavedFaceSpace } from '../../../training/faceSpace'
import { HumanFaces } from '../faces/humanFaces'
import { openImage } from '../image/heic'
import { FACE_DIMS } from '../faces/dims'
import { FaceVectorTable } from '../lance/faceTables'
import { writeFileAtomicSync } from '../fs/atomicWrite'
import { dataLayout } from '../fs/dataLayout'
import type { ClusterJob, ClusterOutcome, FaceReply, FaceRequest } from './faceProtocol'

sharp.cache(false)

/** the long side faces are looked for at: small faces stay findable, FaceRes gets enough pixels */
export const DECODE_SIZE = 1280
/** faces a face space is first fitted on; refitted when the library has twice as many */
export const FIT_FROM = 64
/** the side of the face crops the People screen shows */
export const CROP_SIZE = 128

let faces: HumanFaces | null = null

async function detect(bytes: Uint8Array): Promise<Extract<FaceReply, { type: 'detected' }>> {
  faces ??= await HumanFaces.create()
  const { data, info } = await (await openImage(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength))).rotate().resize(DECODE_SIZE, DECODE_SIZE, { fit: 'inside', withoutEnlargement: true }).removeAlpha().raw().toBuffer({ resolveWithObject: true })
  const found = await faces.detect(new Uint8Array(data.buffer, data.byteOffset, data.length), info.width, info.height)
  const raw = { raw: { width: info.width, height: info.height, channels: 3 as const } }
  const out = await Promise.all(
    found.map(async (f) => {
      const box: [number, number, number, number] = [f.box[0] / info.width, f.box[1] / info.height, f.box[2] / info.width, f.box[3] / info.height]
      const crop = await sharp(data, raw).extract(faceCrop(box, info.width, info.height)).resize(CROP_SIZE, CROP_SIZE, { fit: 'cover' }).jpeg({ quality: 82 }).toBuffer()
      return { box, score: f.score, embedding: f.embedding, crop: new Uint8Array(crop.buffer, crop.byteOffset, crop.length) }
    })
  )
  return { type: 'detected', id: 0, width: info.width, height: info.height, faces: out }
}

function faceSpace(dataDir: string, vectors: Float32Array, n: number): FaceSpace | null {
  const file = dataLayout(dataDir).faceSpace
  let saved: (SavedFaceSpace & { faces: number }) | null = null
  if (existsSync(file)) {
    try {
      saved = JSON.parse(readFileSync(file, 'utf8'))
    } catch {
      saved = null // torn or unreadable: fitted again below
    }
  }
  if (saved && saved.faces * 2 > n) return loadFaceSpace(saved)
  if (n < FIT_FROM) return null
  const space = fitFaceSpace(vectors, n, FACE_DIMS)
  writeFileAtomicSync(file, JSON.stringify({ ...saveFaceSpace(space), faces: n }))
  return space
}

async function cluster(job: ClusterJob): Promise<ClusterOutcome> {
  const table = await FaceVectorTable.open(job.dataDir, FACE_DIMS)
  let stored: { keys: string[]; vectors: Float32Array }
  try {
    stored = await table.all()
  } finally {
    table.close()
  }
  const at = new Map(stored.keys.map((k, i) => [k, i]))
  // the job's faces that have an embedding, in the job's order
  const rows = job.keys.map((k, i) => ({ i, slot: at.get(k) })).filter((r): r is { i: number; slot: number } => r.slot !== undefined)
  const raw = new Float32Array(rows.length * FACE_DIMS)
  rows.forEach((r, j) => raw.set(stored.vectors.subarray(r.slot * FACE_DIMS, (r.slot + 1) * FACE_DIMS), j * FACE_DIMS))
  const space = faceSpace(job.dataDir, stored.vectors, stored.keys.length)
  const full = { n: rows.length, dims: FACE_DIMS, rows: raw }
  const short = space ? { n: rows.length, dims: space.dims, rows: toFaceSpace(space, raw, rows.length) } : full
  const persons = Int32Array.from(rows, (r) => job.persons[r.i])
  const rejects = new Set(job.rejects.map(([k, p]) => `${k}|${p}`))
  let next = job.nextPerson
  // without a face space the model's embedding is searched exactly (its prefixes mean nothing)
  const shortlistDims = space ? job.shortlistDims : FACE_DIMS
  const created = assignFaces(short, full, persons, { ...job, shortlistDims }, (face, person) => rejects.has(`${job.keys[rows[face].i]}|${person}`), () => next++)
  const out = Int32Array.from(job.persons)
  rows.forEach((r, j) => (out[r.i] = persons[j]))
  return { persons: out, created, space: space ? { faces: stored.keys.length, dims: space.dims, before: space.before, after: space.after } : null }
}

async function handle(msg: FaceRequest): Promise<FaceReply> {
  if (msg.type === 'init') {
    faces ??= await HumanFaces.create()
    return { type: 'ready' }
  }
  if (msg.type === 'detect') return { ...(await detect(msg.bytes)), id: msg.id }
  return { type: 'clustered', id: msg.id, ...(await cluster(msg)) }
}

parentPort!.on('message', (msg: FaceRequest) => {
  handle(msg).then(
    (reply) => parentPort!.postMessage(reply),
    (err) => parentPort!.postMessage({ type: 'error', id: 'id' in msg ? msg.id : -1, message: String(err?.message ?? err) })
  )
})
