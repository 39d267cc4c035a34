// Text in photos: read by OCR in a worker thread of its own (adapters/ocr through
// adapters/workers/textClient.ts), from the original file decoded at up to 1600 px. A cheap look
// decides whether a photo shows text at all; most do not and cost only that look. The words go into
// the signal table's full-text index (Signals.searchText), searched by services/terms/text.ts.
import type { TextLine } from '../../../shared/api'
import { MAX_FILE_BYTES } from '../../adapters/image/photoFile'
import { TextClient } from '../../adapters/workers/textClient'
import type { SignalDefinition } from '../signals'

export const TEXT = 'text'
/** A photo smaller than this on its long side holds no text worth reading (CIFAR's 32 px, 64 px thumbnails). */
const MIN_SIDE = 200

/** What a photo says: its lines of text in reading order, each with its box (empty: none). */
export interface PhotoText {
  lines: TextLine[]
}

export function textSignal(opts: { threads?: number } = {}): SignalDefinition<PhotoText> {
  let client: TextClient | null = null
  const worker = () => {
    if (!client?.alive) client = new TextClient(opts.threads)
    return client
  }
  return {
    name: TEXT,
    version: 'text-1',
    async start() {
      worker()
    },
    async stop() {
      const c = client
      client = null
      await c?.close()
    },
    async compute({ photo, open }) {
      if (Math.max(photo.width, photo.height) < MIN_SIDE) return { lines: [] }
      const file = await open()
      let bytes: Buffer
      try {
        const { size } = await file.stat()
        if (size > MAX_FILE_BYTES) throw new Error(`file too large (${size} bytes)`)
        bytes = await file.readFile()
      } finally {
        await file.close()
      }
      const { lines } = await worker().read(bytes)
      return { lines }
    },
    text: (v) => v.lines.map((l) => l.text).join('\n')
  }
}
