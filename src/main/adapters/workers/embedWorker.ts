// Worker thread: decodes photos and runs the model, so indexing never blocks the main thread.
// Decoding of the next batch overlaps inference of the current one (both are async here).
import { parentPort } from 'node:worker_threads'
import sharp from 'sharp'
import { Embedder } from '../onnx/embedder'
import { loadModel } from '../models/modelCard'
import { DataFolderError, readPhoto } from '../image/photoFile'
import type { WorkerReply, WorkerRequest } from './embedProtocol'

// each photo is decoded once: libvips' operation cache (up to 50 MB) would only hold on to memory
sharp.cache(false)

/**
 * Photos read and decoded at once, across batches: enough to keep both cores busy beside the
 * model (sharp runs one photo per libuv thread), few enough that only that many files (a 12-MP
 * JPEG is 4-8 MB) are in memory at a time.
 */
const DECODE_PARALLEL = Math.max(1, Number(process.env.MRL_DECODE_PARALLEL) || 3)
let decoding = 0
const waiting: (() => void)[] = []
async function limited<T>(work: () => Promise<T>): Promise<T> {
  if (decoding < DECODE_PARALLEL) decoding++
  else await new Promise<void>((go) => waiting.push(go)) // a finishing photo hands its place over
  try {
    return await work()
  } finally {
    const next = waiting.shift()
    if (next) next()
    else decoding--
  }
}

let embedder: Embedder | null = null

async function handle(msg: WorkerRequest): Promise<WorkerReply> {
  if (msg.type === 'init') {
    embedder = await Embedder.create(await loadModel(msg.onnxPath), msg.threads ?? (Number(process.env.MRL_ONNX_THREADS) || undefined))
    return { type: 'ready', provider: embedder.provider }
  }
  if (!embedder) throw new Error('worker used before init')
  const spec = embedder.model.card.input
  const plane = 3 * spec.size * spec.size
  const tensor = new Float32Array(msg.files.length * plane)
  const decoded = await Promise.all(
    msg.files.map(async (f, i) => {
      try {
        return { file: f, facts: await limited(() => readPhoto(f.path, msg, spec, tensor, i * plane, f.thumbPath)), slot: i }
      } catch (err) {
        return { file: f, reason: (err as Error).message || String(err), dataFolder: err instanceof DataFolderError }
      }
    })
  )
  // not the photos' fault: fail the batch, so the run stops with the message and retries them later
  const broken = decoded.find((d) => 'dataFolder' in d && d.dataFolder)
  if (broken) throw new Error((broken as { reason: string }).reason)
  const good = decoded.filter((d) => 'facts' in d)
  const failed = decoded.filter((d) => 'reason' in d).map((d) => ({ path: d.file.path, reason: (d as { reason: string }).reason }))
  if (!good.length) return { type: 'result', id: msg.id, ok: [], failed }
  // pack the decoded inputs contiguously
  const packed = new Float32Array(good.length * plane)
  good.forEach((d, j) => packed.set(tensor.subarray(d.slot! * plane, (d.slot! + 1) * plane), j * plane))
  const out = await embedder.run(packed, good.length)
  const dims = out.embeddings.length / good.length
  const ok = good.map((d, j) => ({
    path: d.file.path,
    facts: d.facts!,
    embedding: out.embeddings.slice(j * dims, (j + 1) * dims),
    logits: out.logits.map((l) => {
      const c = l.length / good.length
      return l.slice(j * c, (j + 1) * c)
    })
  }))
  return { type: 'result', id: msg.id, ok, failed }
}

parentPort!.on('message', (msg: WorkerRequest) => {
  handle(msg).then(
    (reply) => parentPort!.postMessage(reply),
    (err) => parentPort!.postMessage({ type: 'error', id: 'id' in msg ? msg.id : -1, message: String(err?.message ?? err) })
  )
})
