// Faces in a photo and an embedding for each: @vladmandic/human's BlazeFace (the 256 px "back"
// model, for faces at a distance) and FaceRes (1024 dims), on tfjs's WebAssembly backend. The
// weights ship inside the package; nothing is fetched. Chosen over @vladmandic/face-api on our test
// library (test/faces.test.ts, README): it found every face (face-api missed 12 of 108 tight
// crops), kept the two photos of one person apart from every other face in the group photos, ran in
// about 0.75x face-api's time and half its memory. Runs in the faces worker (faceWorker.ts) only.
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import * as tf from '@tensorflow/tfjs-core'
import type { Human, Config } from '@vladmandic/human'
import { FACE_DIMS } from './dims'

/** A face as detected: its box in the decoded image's pixels, the detector's score, its embedding. */
export interface DetectedFace {
  box: [number, number, number, number]
  score: number
  embedding: Float32Array
}

/** faces smaller than this (pixels of the decoded image, shorter box side) are too small to recognise */
const MIN_FACE = 20

const resolver = createRequire(import.meta.url)
// the package's "exports" name its builds without "./", so the wasm build is found by its folder
const humanDir = dirname(dirname(resolver.resolve('@vladmandic/human')))
const wasmDir = dirname(resolver.resolve('@tensorflow/tfjs-backend-wasm')) + '/'

/** tfjs in Node loads models over http only: the package's model files are read from disk here. */
function registerFileLoader(): void {
  const router = (url: string | string[]): tf.io.IOHandler | null => {
    const u = Array.isArray(url) ? url[0] : url
    if (typeof u !== 'string' || !u.startsWith('file://')) return null
    return {
      async load() {
        const path = fileURLToPath(u)
        const json = JSON.parse(await readFile(path, 'utf8'))
        const groups = json.weightsManifest as { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[]
        const buffers = await Promise.all(groups.flatMap((g) => g.paths.map((p) => readFile(join(dirname(path), p)))))
        const data = Buffer.concat(buffers)
        return {
          modelTopology: json.modelTopology,
          format: json.format,
          generatedBy: json.generatedBy,
          convertedBy: json.convertedBy,
          signature: json.signature,
          userDefinedMetadata: json.userDefinedMetadata,
          weightSpecs: groups.flatMap((g) => g.weights),
          weightData: data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)
        }
      }
    }
  }
  tf.io.registerLoadRouter(router as Parameters<typeof tf.io.registerLoadRouter>[0])
}

export class HumanFaces {
  private constructor(private readonly human: Human) {}

  static async create(): Promise<HumanFaces> {
    registerFileLoader()
    const mod = (await import(pathToFileURL(join(humanDir, 'dist', 'human.node-wasm.js')).href)) as { Human: new (c: Partial<Config>) => Human }
    const human = new mod.Human({
      backend: 'wasm',
      wasmPath: wasmDir,
      wasmPlatformFetch: false,
      modelBasePath: pathToFileURL(join(humanDir, 'models')).href + '/',
      debug: false,
      async: true,
      cacheSensitivity: 0,
      filter: { enabled: false },
      gesture: { enabled: false },
      body: { enabled: false },
      hand: { enabled: false },
      object: { enabled: false },
      segmentation: { enabled: false },
      face: {
        enabled: true,
        // the mesh's face score drops what the detector alone takes for a face: on the 47 real photos of
        // test/realPhotos.json it reported 11 faces, 9 of them on a ladybird, a cat, a sunset, a motorbike
        // and other photos without a person; with the mesh 4 (the astronaut, the cameraman, two dogs
        // looking into the camera), every face of the face and group photos still found, at no
        // measurable CPU cost (it runs on the few boxes the detector keeps)
        detector: { modelPath: 'blazeface.json', rotation: false, maxDetected: 30, minConfidence: 0.45, iouThreshold: 0.1, skipFrames: 0, skipTime: 0, return: false },
        mesh: { enabled: true, modelPath: 'facemesh.json' },
        iris: { enabled: false },
        attention: { enabled: false },
        emotion: { enabled: false },
        antispoof: { enabled: false },
        liveness: { enabled: false },
        description: { enabled: true, modelPath: 'faceres.json', skipFrames: 0, skipTime: 0 }
      }
    } as Partial<Config>)
    await human.load()
    return new HumanFaces(human)
  }

  /** The faces in an RGB image (rows of width*3 bytes), largest first. */
  async detect(rgb: Uint8Array, width: number, height: number): Promise<DetectedFace[]> {
    const input = tf.tensor4d(Int32Array.from(rgb), [1, height, width, 3], 'int32')
    try {
      const result = await this.human.detect(input as never)
      return result.face
        .filter((f) => f.embedding?.length === FACE_DIMS && Math.min(f.box[2], f.box[3]) >= MIN_FACE)
        .map((f) => ({ box: f.box.map((v) => Math.round(v)) as DetectedFace['box'], score: f.score, embedding: Float32Array.from(f.embedding!) }))
        .sort((a, b) => b.box[2] * b.box[3] - a.box[2] * a.box[3])
    } finally {
      input.dispose()
    }
  }

  close(): void {
    tf.disposeVariables()
  }
}
