// The image encoder as indexing, the model switch and search see it: files in, facts (hash, EXIF),
// the embedding and the per-prefix logits out. src/main/adapters/workers/embedClient.ts implements
// it over a worker thread running onnxruntime.

/** What is read off a photo file besides its embedding. */
export interface PhotoFacts {
  hash: string
  width: number
  height: number
  takenAt: string | null
  camera: string | null
  lens: string | null
  latitude: number | null
  longitude: number | null
  orientation: number | null
}

export interface FileJob {
  path: string
  /** where to write the thumbnail (none: the photo has one already) */
  thumbPath?: string
}

export interface Embedded {
  path: string
  facts: PhotoFacts
  embedding: Float32Array
  logits: Float32Array[]
}

export interface EncodeResult {
  ok: Embedded[]
  failed: { path: string; reason: string }[]
}

export interface ImageEncoder {
  /** false once it has died (a crash in native code); a new one is started */
  readonly alive: boolean
  embed(files: FileJob[]): Promise<EncodeResult>
  close(): Promise<void>
}
