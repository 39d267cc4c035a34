// Checks an image encoder before the app trusts it: onnxruntime must load it, the image input must
// take the stated size and layout, the named output must give one finite vector per photo. Runs it
// on a few real photos (or a generated image) and reports the width and the time per photo.
import * as ort from 'onnxruntime-node'
import sharp from 'sharp'
import { median } from '../../../core/stats'
import { UserError } from '../../../shared/errors'
import { toTensor, type InputSpec } from '../image/preprocess'

export interface CheckSpec extends InputSpec {
  /** the image input (default: the graph's only input) */
  inputName?: string
  /** the embedding output */
  output: string
}

export interface CheckReport {
  /** the embedding width the model gives */
  dims: number
  /** photos it ran on (a generated image when the library has none) */
  photos: number
  /** inference time per photo, median of three timed passes after a warm-up */
  msPerPhoto: number
  inputName: string
  /** every output of the graph */
  outputs: string[]
}

/** A noise image, for checking a model before any photo is indexed. */
async function generatedImage(): Promise<Buffer> {
  const side = 96
  const raw = Buffer.alloc(side * side * 3)
  for (let i = 0; i < raw.length; i++) raw[i] = (i * 7919 + (i >> 5) * 104729) % 256
  return sharp(raw, { raw: { width: side, height: side, channels: 3 } }).png().toBuffer()
}

function checkInputShape(meta: ort.InferenceSession.ValueMetadata | undefined, spec: CheckSpec): void {
  if (!meta?.isTensor) return
  const shape = meta.shape
  if (shape.length !== 4) throw new UserError(`the model's input "${meta.name}" is ${shape.length}-D (${shape.join('x')}); an image encoder takes a 4-D batch of images`)
  const nhwc = spec.layout === 'NHWC'
  const [h, w, c] = nhwc ? [shape[1], shape[2], shape[3]] : [shape[2], shape[3], shape[1]]
  const fixed = (v: number | string) => typeof v === 'number' && v > 0
  if ((fixed(h) && h !== spec.size) || (fixed(w) && w !== spec.size)) {
    throw new UserError(`wrong input size: the model takes ${h}x${w} images (${shape.join('x')}, ${nhwc ? 'NHWC' : 'NCHW'}), the settings say ${spec.size}x${spec.size}`)
  }
  if (fixed(c) && c !== 3) {
    throw new UserError(`the model's input has ${c} channels where the ${nhwc ? 'NHWC' : 'NCHW'} layout puts them (${shape.join('x')}); it needs 3 (check the layout)`)
  }
}

async function loadSession(onnxPath: string): Promise<ort.InferenceSession> {
  try {
    return await ort.InferenceSession.create(onnxPath, { executionProviders: ['cpu'], graphOptimizationLevel: 'all' })
  } catch (err) {
    // the path is our temporary copy, of no use to the user
    const why = String((err as Error).message ?? err).replaceAll(onnxPath, 'the file').replace(/^Load model from the file failed:/, '')
    throw new UserError(`not an ONNX model onnxruntime can load: ${why.slice(0, 300)}`)
  }
}

export async function checkModel(onnxPath: string, spec: CheckSpec, photos: string[]): Promise<CheckReport> {
  const session = await loadSession(onnxPath)
  try {
    const inputs = session.inputNames
    let inputName = spec.inputName
    if (!inputName) {
      if (inputs.length !== 1) throw new UserError(`the model has ${inputs.length} inputs (${inputs.join(', ')}); name the one that takes the image`)
      inputName = inputs[0]
    }
    if (!inputs.includes(inputName)) throw new UserError(`the model has no input "${inputName}"; its inputs: ${inputs.join(', ')}`)
    if (!session.outputNames.includes(spec.output)) {
      throw new UserError(`output name absent: the model has no output "${spec.output}"; its outputs: ${session.outputNames.join(', ')}`)
    }
    checkInputShape(session.inputMetadata.find((m) => m.name === inputName), spec)

    const plane = 3 * spec.size * spec.size
    const sources: (string | Buffer)[] = photos.length ? photos : [await generatedImage()]
    const batch = new Float32Array(sources.length * plane)
    let n = 0
    for (const src of sources) {
      try {
        await toTensor(src, spec, batch, n * plane)
        n++
      } catch {
        // an unreadable sample photo says nothing about the model
      }
    }
    if (!n) {
      await toTensor(await generatedImage(), spec, batch, 0)
      n = 1
    }
    const s = spec.size
    const shape = spec.layout === 'NHWC' ? [n, s, s, 3] : [n, 3, s, s]
    const feed = { [inputName]: new ort.Tensor('float32', batch.subarray(0, n * plane), shape) }
    let out: ort.InferenceSession.OnnxValueMapType
    try {
      out = await session.run(feed, [spec.output])
    } catch (err) {
      throw new UserError(`the model cannot run on ${n} ${s}x${s} ${spec.layout ?? 'NCHW'} images (wrong input size or layout?): ${String((err as Error).message ?? err).slice(0, 300)}`)
    }
    const times: number[] = []
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now()
      await session.run(feed, [spec.output])
      times.push((performance.now() - t0) / n)
    }
    const emb = out[spec.output] as ort.Tensor
    const dims = emb.dims
    if (dims.length !== 2) {
      throw new UserError(`output "${spec.output}" is ${dims.length}-D (${dims.join('x')}); an image encoder must give a 2-D output, one vector per photo`)
    }
    if (dims[0] !== n || dims[1] < 2) throw new UserError(`output "${spec.output}" is ${dims.join('x')} for ${n} photos; expected ${n} x (embedding width)`)
    const data = emb.data as Float32Array
    if (emb.type !== 'float32') throw new UserError(`output "${spec.output}" is ${emb.type}; the app needs float32 embeddings`)
    const bad = data.findIndex((v) => !Number.isFinite(v))
    if (bad >= 0) throw new UserError(`output "${spec.output}" holds NaN or infinite values (photo ${Math.floor(bad / dims[1]) + 1}): check the mean/std and the model`)
    return { dims: Number(dims[1]), photos: photos.length ? n : 0, msPerPhoto: median(times), inputName, outputs: [...session.outputNames] }
  } finally {
    await session.release()
  }
}
