// Text in photos: read by OCR in a worker thread of its own (adapters/ocr through
// adapters/workers/textClient.ts), from the original file decoded at up to 1600 px. A cheap look
// decides whether a photo shows text at all; most do not and cost only that look. The words go into
// the signal table's full-text index (Signals.searchText), searched by services/terms/text.ts.
import type { TextLine } from '../../../shared/api'
import { readWhole } from '../../adapters/image/photoFile'
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
  // started by the first photo large enough to read (a library of thumbnails never loads the networks)
  let client: TextClient | null = null
  const worker = () => {
    if (!client?.alive) client = new TextClient(opts.threads)
    return client
  }
  return {
    name: TEXT,
    version: 'text-1',
    async stop() {
      const c = client
      client = null
      await c?.close()
    },
    async compute({ photo, open }) {
      if (Math.max(photo.width, photo.height) < MIN_SIDE) return { lines: [] }
      const { lines } = await worker().read(await readWhole(await open()))
      return { lines }
    },
    text: (v) => v.lines.map((l) => l.text).join('\n')
  }
}
