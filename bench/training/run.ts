// npm run bench:training — what Matryoshka fine-tuning does, on real models and real images:
//  1. Fashion-MNIST as a user's labelled photos (100 per class) for the bundled MRL model: 1-NN
//     accuracy per prefix before and after supervised fine-tuning. Database = the 60,000 train
//     embeddings (adapted), queries = the 10,000 test embeddings (adapted).
//  2. The unsupervised adaptor on the FF-512 (non-Matryoshka) baseline: truncated-prefix mAP@10 on
//     CIFAR-10 (database = train 50k, queries = test 10k, as on the model card), next to the MRL model.
//  3. How long fine-tuning on 1,000 labelled photos takes (a figure, not a test).
// Options (env): FASHION_DB=N limits the train split (a quick look), PARTS=1,2 picks the parts,
// UNSUP_EPOCHS / UNSUP_STEPS size the unsupervised run.
import { join } from 'node:path'
import { loadModel, resourcesDir } from '../../src/main/adapters/models/modelCard'
import { adapt } from '../../src/training/adaptor'
import { trainSupervised } from '../../src/training/supervised'
import { trainUnsupervised } from '../../src/training/unsupervised'
import { rng, shuffle } from '../../src/training/linalg'
import { loadEmbeddings } from '../embeddings'
import { embedCifar } from './cifar'
import { FASHION_CLASSES, embedFashion, readFashion } from './fashionMnist'
import { map10, oneNN } from './retrieval'

const PARTS = new Set((process.env.PARTS ?? '1,2').split(','))
const PER_CLASS = 100
const fmt = (v: number) => v.toFixed(2).padStart(7)

function table(title: string, nesting: number[], rows: [string, number[]][]): void {
  console.log(`\n${title}`)
  console.log(`| ${'dims'.padEnd(28)} | ${nesting.map((m) => String(m).padStart(7)).join(' | ')} |`)
  console.log(`|${'-'.repeat(30)}|${nesting.map(() => '--------:').join('|')}|`)
  for (const [name, vals] of rows) console.log(`| ${name.padEnd(28)} | ${vals.map(fmt).join(' | ')} |`)
}

async function fashion(): Promise<void> {
  const model = await loadModel()
  const { nesting, embedding_dim: d } = model.card
  console.log(`model: ${model.card.name} (${model.card.arch}, sha ${model.card.sha256?.slice(0, 12)})`)
  const train = readFashion('train')
  const test = readFashion('t10k')
  const dbN = Math.min(train.n, Number(process.env.FASHION_DB ?? train.n))
  const xTrain = await embedFashion(model, 'train', train, dbN)
  const testN = Math.min(test.n, Number(process.env.FASHION_QUERIES ?? test.n))
  const xTest = await embedFashion(model, 't10k', test, testN)
  // the user's labelled photos: the first 100 of each class in a seeded shuffle of the train split
  const order = shuffle(Array.from({ length: dbN }, (_, i) => i), rng(42))
  const picked: number[] = []
  const per = new Map<number, number>()
  for (const i of order) {
    const c = train.labels[i]
    if ((per.get(c) ?? 0) < PER_CLASS) {
      picked.push(i)
      per.set(c, (per.get(c) ?? 0) + 1)
    }
  }
  const x = new Float32Array(picked.length * d)
  picked.forEach((r, j) => x.set(xTrain.subarray(r * d, (r + 1) * d), j * d))
  const pickedSet = new Set(picked)
  const others = order.filter((i) => !pickedSet.has(i)).slice(0, 5000)
  const unl = new Float32Array(others.length * d)
  others.forEach((r, j) => unl.set(xTrain.subarray(r * d, (r + 1) * d), j * d))
  const t0 = performance.now()
  const res = trainSupervised(
    { x, n: picked.length, d, labels: Int32Array.from(picked, (i) => train.labels[i]), classes: FASHION_CLASSES, unlabelled: { x: unl, n: others.length } },
    { nesting },
    { onEpoch: (r) => console.error(`  epoch ${r.epoch}: loss ${r.loss.toFixed(3)}, held-out accuracy ${r.perPrefix.map((a) => (100 * a).toFixed(0)).join('/')}${r.best ? ' *' : ''}`) }
  )
  const secs = (performance.now() - t0) / 1000
  console.log(`\nsupervised fine-tuning on ${picked.length} labelled photos (${res.split.train.length} train / ${res.split.val.length} held out): ${secs.toFixed(1)} s, ${res.history.length} epochs, stopped by ${res.stoppedBy}`)
  const before = nesting.map((m) => oneNN(xTrain, dbN, train.labels, xTest, testN, test.labels, d, m))
  const aTrain = adapt(res.adaptor, xTrain, dbN)
  const aTest = adapt(res.adaptor, xTest, testN)
  const after = nesting.map((m) => oneNN(aTrain, dbN, train.labels, aTest, testN, test.labels, d, m))
  table(`Fashion-MNIST 1-NN accuracy (%), database = train (${dbN}), queries = test (${testN})`, nesting, [
    ['bundled model, truncated', before],
    [`fine-tuned (${PER_CLASS}/class labelled)`, after],
    ['held-out head accuracy', res.valAccuracy.map((a) => 100 * a)]
  ])
  const i16 = nesting.indexOf(16)
  console.log(`\nfine-tuned d=16: ${after[i16].toFixed(2)}%  vs  untuned d=${d}: ${before[nesting.length - 1].toFixed(2)}%`)
}

async function unsupervised(): Promise<void> {
  const mrl = await loadEmbeddings()
  const ff = await loadModel(join(resourcesDir(), 'models', 'ff512-resnet18-cifar10.onnx'))
  const metrics = ff.card.metrics as { ff?: { top1?: Record<string, number> } } | undefined
  console.log(`\nFF baseline: ${ff.card.name} (${ff.card.arch}), card top-1 at 512: ${metrics?.ff?.top1?.['512'] ?? '?'}`)
  const nesting = mrl.model.card.nesting
  const d = ff.card.embedding_dim
  const ffTrain = await embedCifar(ff, 'train')
  const ffTest = await embedCifar(ff, 'test')
  const t0 = performance.now()
  const res = trainUnsupervised(ffTrain.vectors, ffTrain.n, d, { nesting, epochs: Number(process.env.UNSUP_EPOCHS ?? 8), steps: Number(process.env.UNSUP_STEPS ?? 40) }, {
    onEpoch: (r) => console.error(`  epoch ${r.epoch}: loss ${r.loss.toFixed(3)}, neighbours@10 ${r.perPrefix.map((a) => (100 * a).toFixed(0)).join('/')}${r.best ? ' *' : ''}`)
  })
  console.log(`unsupervised adaptor: ${((performance.now() - t0) / 1000).toFixed(1)} s, ${res.history.length} epochs, stopped by ${res.stoppedBy}`)
  table('held-out top-10 neighbour overlap with the full embedding (%)', nesting, [
    ['FF-512 truncated', res.before.map((v) => 100 * v)],
    ['FF-512 + PCA start', res.atStart.map((v) => 100 * v)],
    ['FF-512 + adaptor (trained)', res.after.map((v) => 100 * v)]
  ])
  const aTrain = adapt(res.adaptor, ffTrain.vectors, ffTrain.n)
  const aTest = adapt(res.adaptor, ffTest.vectors, ffTest.n)
  const md = mrl.model.card.embedding_dim
  const row = (db: Float32Array, dbN: number, dbL: Uint8Array, q: Float32Array, qN: number, qL: Uint8Array, dd: number) => nesting.map((m) => map10(db, dbN, dbL, q, qN, qL, dd, m))
  table('CIFAR-10 mAP@10 (%), database = train 50k, queries = test 10k', nesting, [
    ['MRL model, truncated', row(mrl.train.vectors, mrl.train.n, mrl.train.labels, mrl.test.vectors, mrl.test.n, mrl.test.labels, md)],
    ['FF-512, truncated', row(ffTrain.vectors, ffTrain.n, ffTrain.labels, ffTest.vectors, ffTest.n, ffTest.labels, d)],
    ['FF-512 + unsupervised adaptor', row(aTrain, ffTrain.n, ffTrain.labels, aTest, ffTest.n, ffTest.labels, d)]
  ])
}

if (PARTS.has('1')) await fashion()
if (PARTS.has('2')) await unsupervised()
