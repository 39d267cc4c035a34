// Worker thread: trains adaptors and maps embeddings through them, so the engine's thread (and the
// search it answers) never waits on the arithmetic. Cancel is a shared flag polled between batches.
import { parentPort } from 'node:worker_threads'
import { adapt, loadAdaptor, saveAdaptor } from '../../../training/adaptor'
import { calibrateThreshold } from '../../../training/autotag'
import { gatherRows } from '../../../training/linalg'
import { Cancelled, type TrainControl } from '../../../training/progress'
import type { TrainReply, TrainRequest } from './trainProtocol'
import { trainSupervised } from '../../../training/supervised'
import { trainUnsupervised } from '../../../training/unsupervised'
import { saveHeads } from '../fs/adaptorVersions'

function handle(msg: TrainRequest): TrainReply {
  const flag = new Int32Array(msg.cancel)
  const control: TrainControl = {
    cancelled: () => Atomics.load(flag, 0) !== 0,
    onEpoch: (report) => parentPort!.postMessage({ type: 'epoch', id: msg.id, report } satisfies TrainReply)
  }
  if (msg.type === 'adapt') {
    const a = loadAdaptor(msg.adaptor)
    return { type: 'adapted', id: msg.id, y: adapt(a, msg.x, msg.x.length / a.dIn) }
  }
  if (msg.type === 'unsupervised') {
    const res = trainUnsupervised(msg.x, msg.x.length / msg.d, msg.d, { nesting: msg.nesting, steps: msg.steps }, control)
    return {
      type: 'trained',
      id: msg.id,
      outcome: { adaptor: saveAdaptor(res.adaptor), heads: [], classes: [], perPrefix: res.after, metric: 'neighbours@10', epochs: res.history.length, threshold: null }
    }
  }
  const n = msg.labels.length
  const res = trainSupervised(
    { x: msg.x, n, d: msg.d, labels: msg.labels, classes: msg.classes, unlabelled: { x: msg.unlabelled, n: msg.unlabelled.length / msg.d } },
    { nesting: msg.nesting },
    control
  )
  const valY = adapt(res.adaptor, gatherRows(msg.x, msg.d, res.split.val), res.split.val.length)
  const threshold = calibrateThreshold(res.heads, valY, res.split.val.length, msg.d, Int32Array.from(res.split.val, (i) => msg.labels[i]))
  return {
    type: 'trained',
    id: msg.id,
    outcome: { adaptor: saveAdaptor(res.adaptor), heads: saveHeads(res.heads), classes: res.classes, perPrefix: res.valAccuracy, metric: 'accuracy', epochs: res.history.length, threshold }
  }
}

parentPort!.on('message', (msg: TrainRequest) => {
  try {
    const reply = handle(msg)
    parentPort!.postMessage(reply, reply.type === 'adapted' ? [reply.y.buffer as ArrayBuffer] : [])
  } catch (err) {
    if (err instanceof Cancelled) parentPort!.postMessage({ type: 'cancelled', id: msg.id } satisfies TrainReply)
    else parentPort!.postMessage({ type: 'error', id: msg.id, message: String((err as Error)?.message ?? err) } satisfies TrainReply)
  }
})
