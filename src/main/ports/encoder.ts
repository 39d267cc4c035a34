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

/** Where the files an encoder reads must lie: inside a root, outside every excluded folder (real paths). */
export interface FolderBounds {
  roots: readonly string[]
  exclude: readonly string[]
}

export interface EncodeResult {
  ok: Embedded[]
  failed: { path: string; reason: string }[]
}

export interface ImageEncoder {
  /** false once it has died (a crash in native code); a new one is started */
  readonly alive: boolean
  /**
   * Each file is opened once, inside `within.roots` (real paths of the library's folders) and outside
   * `within.exclude` (the data folder), and read from that descriptor. Absent: each file's own
   * folder (files the app wrote itself, such as a query photo).
   */
  embed(files: FileJob[], within?: FolderBounds): Promise<EncodeResult>
  close(): Promise<void>
}
