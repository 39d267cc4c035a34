// Worker thread: decodes photos and reads their text (src/main/adapters/ocr), off the main thread.
import { parentPort } from 'node:worker_threads'
import sharp from 'sharp'
import { TextReader } from '../ocr/textReader'
import type { TextReply, TextRequest } from './textProtocol'

// each photo is decoded once: libvips' operation cache would only hold on to memory
sharp.cache(false)

let reader: TextReader | null = null

async function handle(msg: TextRequest): Promise<TextReply> {
  if (msg.type === 'init') {
    reader = await TextReader.create(msg.threads)
    return { type: 'ready' }
  }
  if (!reader) throw new Error('worker used before init')
  return { type: 'result', id: msg.id, ...(await reader.read(Buffer.from(msg.file))) }
}

parentPort!.on('message', (msg: TextRequest) => {
  handle(msg).then(
    (reply) => parentPort!.postMessage(reply),
    (err) => parentPort!.postMessage({ type: 'error', id: 'id' in msg ? msg.id : -1, message: String(err?.message ?? err) })
  )
})
