// Messages between the engine and its embedding worker.
import type { Embedded, FileJob } from '../../ports/encoder'

export type { Embedded, FileJob }

export type WorkerRequest =
  | { type: 'init'; onnxPath: string; threads?: number }
  /** each file is opened inside `roots` and outside `exclude` (real paths; see ImageEncoder.embed) */
  | { type: 'batch'; id: number; files: FileJob[]; roots: string[]; exclude: string[] }

export type WorkerReply =
  | { type: 'ready'; provider: string }
  | { type: 'result'; id: number; ok: Embedded[]; failed: { path: string; reason: string }[] }
  | { type: 'error'; id: number; message: string }
