// Messages between the engine and its text-reading (OCR) worker.
import type { TextLine } from '../../../shared/api'

export type TextRequest =
  | { type: 'init'; threads?: number }
  /** the photo file's bytes (transferred, not copied) */
  | { type: 'read'; id: number; file: ArrayBuffer }

export interface TextRead {
  lines: TextLine[]
  /** the share of the photo the cheap look found text in (0: none, and nothing was read) */
  probeArea: number
  /** whether the full detection and recognition ran */
  read: boolean
}

export type TextReply =
  | { type: 'ready' }
  | ({ type: 'result'; id: number } & TextRead)
  | { type: 'error'; id: number; message: string }
