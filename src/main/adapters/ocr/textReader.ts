// Reads the text in a photo with PaddleOCR's networks in onnxruntime (the `paddleocr` runtime does
// the DB post-processing, the rotated crops and the CTC decoding in plain TypeScript). Most photos
// show no text, so a cheap look comes first: the photo decoded small (JPEGs shrink on load) and the
// detection network at PROBE_SIZE; only when it finds enough text-like area is the photo decoded
// at READ_SIZE, detected at DETECT_SIZE and each line recognised.
import * as ort from 'onnxruntime-node'
import { DetectionService, Image, RecognitionService, type Box } from 'paddleocr'
import type { TextLine } from '../../../shared/api'
import { decodeForText, scaledTo, type Pixels } from '../image/textImage'
import { ocrModels, readDictionary } from './ocrModels'
import { detectionTensor, textArea, type AreaRules } from './textArea'

/** The cheap look: 640 px costs about a tenth of the full detection. */
export const PROBE_SIZE = 640
export const DETECT_SIZE = 960
/** What the probe counts as text: PaddleOCR's thresholds, and no region thinner than 4 px at 640 px */
const PROBE_RULES: AreaRules = { pixel: 0.3, region: 0.6, minSide: 4 }
/** ...and how much of the photo it must cover to be read */
const PROBE_MIN_AREA = 0.0004
/** A recognised line is kept above this mean character confidence (PaddleOCR's drop_score is 0.5). */
const MIN_CONFIDENCE = 0.6

export interface ReadResult {
  lines: TextLine[]
  /** the probe's verdict: the share of the photo its text boxes cover (0: none) */
  probeArea: number
  /** whether the full detection and recognition ran */
  read: boolean
}

/** Networks trained on BGR images (OpenCV's order), as PaddleOCR feeds them. */
const BGR = 'bgr' as const

const toImage = (p: Pixels) => new Image(p.width, p.height, 3, p.data)

/** The box's four corners as shares of the image (x1, y1, … x4, y4), clockwise from top left. */
function corners(b: Box, sx: number, sy: number): number[] {
  const pts = b.points ?? [
    { x: b.x, y: b.y },
    { x: b.x + b.width, y: b.y },
    { x: b.x + b.width, y: b.y + b.height },
    { x: b.x, y: b.y + b.height }
  ]
  return pts.flatMap((p) => [Math.round(p.x * sx * 1e4) / 1e4, Math.round(p.y * sy * 1e4) / 1e4])
}

/** A detection box moved from the detection image's pixels to the read image's. */
function rescale(b: Box, sx: number, sy: number): Box {
  return {
    x: b.x * sx,
    y: b.y * sy,
    width: b.width * sx,
    height: b.height * sy,
    points: b.points?.map((p) => ({ x: p.x * sx, y: p.y * sy })) as Box['points']
  }
}

/** Something worth keeping: a letter or digit, and not one glyph alone (texture read as a character). */
const meaningful = (text: string) => /[\p{L}\p{N}]/u.test(text) && text.replace(/[^\p{L}\p{N}]/gu, '').length >= 2

export class TextReader {
  private constructor(
    private readonly sessions: ort.InferenceSession[],
    private readonly probeSession: ort.InferenceSession,
    private readonly detector: DetectionService,
    private readonly recogniser: RecognitionService
  ) {}

  static async create(threads?: number): Promise<TextReader> {
    const m = ocrModels()
    const options: ort.InferenceSession.SessionOptions = { executionProviders: ['cpu'], intraOpNumThreads: threads ?? 0, graphOptimizationLevel: 'all' }
    const det = await ort.InferenceSession.create(m.detection, options)
    const rec = await ort.InferenceSession.create(m.recognition, options)
    const module = ort as unknown as ConstructorParameters<typeof DetectionService>[0]
    const detector = new DetectionService(module, det as unknown as ConstructorParameters<typeof DetectionService>[1], {
      channelOrder: BGR,
      limitType: 'max',
      textPixelThreshold: 0.3,
      boxScoreThreshold: 0.45, // PP-OCRv6's; 0.6 loses the fainter lines of a photographed page
      unclipRatio: 1.5
    })
    const recogniser = new RecognitionService(module, rec as unknown as ConstructorParameters<typeof RecognitionService>[1], {
      channelOrder: BGR,
      // pixels scaled to [0, 1] as @gutenye/ocr-node feeds these weights: on our test photos it kept
      // more spaces between words than PaddleOCR's [-1, 1] (character accuracy 0.936 against 0.930)
      mean: [0, 0, 0],
      stdDeviation: [1 / 255, 1 / 255, 1 / 255],
      charactersDictionary: readDictionary(m.dictionary)
    })
    return new TextReader([det, rec], det, detector, recogniser)
  }

  /** The text boxes of an image already sized for detection (both sides multiples of 32). */
  private detect(p: Pixels): Promise<Box[]> {
    return this.detector.run(toImage(p), { maxSideLength: Math.max(p.width, p.height) })
  }

  /** The share of the photo the detection network sees text in, at PROBE_SIZE. */
  async probe(photo: Pixels): Promise<number> {
    const p = await scaledTo(photo, PROBE_SIZE)
    const input = new ort.Tensor('float32', detectionTensor(p), [1, 3, p.height, p.width])
    const out = await this.probeSession.run({ [this.probeSession.inputNames[0]]: input })
    const map = out[this.probeSession.outputNames[0]]
    return textArea(map.data as Float32Array, p.width, p.height, PROBE_RULES)
  }

  /** Reads a photo file's bytes: decoded small for the cheap look, and again at READ_SIZE only when it finds text. */
  async read(file: Buffer): Promise<ReadResult> {
    const probeArea = await this.probe(await decodeForText(file, PROBE_SIZE))
    if (probeArea < PROBE_MIN_AREA) return { lines: [], probeArea, read: false }
    return { lines: await this.lines(await decodeForText(file)), probeArea, read: true }
  }

  /** The lines of text in a photo decoded at READ_SIZE, in reading order. */
  async lines(photo: Pixels): Promise<TextLine[]> {
    const det = await scaledTo(photo, DETECT_SIZE)
    const boxes = (await this.detect(det)).map((b) => rescale(b, photo.width / det.width, photo.height / det.height))
    const results = await this.recogniser.run(toImage(photo), boxes)
    return results
      .filter((r) => r.confidence >= MIN_CONFIDENCE && meaningful(r.text))
      .map((r) => ({ text: r.text.normalize('NFKC').trim(), confidence: Math.round(r.confidence * 1000) / 1000, box: corners(r.box, 1 / photo.width, 1 / photo.height) }))
  }

  async close(): Promise<void> {
    for (const s of this.sessions) await s.release()
  }
}
