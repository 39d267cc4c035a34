// Messages between the engine and its embedding worker.
import type { PhotoFacts } from '../image/photoFile'

export interface FileJob {
  path: string
  /** where to write the thumbnail (none: the photo has one already) */
  thumbPath?: string
}

export type WorkerRequest =
  | { type: 'init'; onnxPath: string; threads?: number }
  | { type: 'batch'; id: number; files: FileJob[] }

export interface Embedded {
  path: string
  facts: PhotoFacts
  embedding: Float32Array
  logits: Float32Array[]
}

export type WorkerReply =
  | { type: 'ready'; provider: string }
  | { type: 'result'; id: number; ok: Embedded[]; failed: { path: string; reason: string }[] }
  | { type: 'error'; id: number; message: string }
