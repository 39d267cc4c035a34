// Fashion-MNIST through the bundled model with the app's own preprocess (encoded as PNG, then
// toTensor: gray→sRGB, centre square, resized to the model's input, mean/std).
import { toTensor } from '../../src/main/adapters/image/preprocess'
import type { Model } from '../../src/main/adapters/models/modelCard'
import { fashionPng, type FashionSplit } from '../../fixtures/fashion'
import { embedCached } from './embedCache'

export { FASHION_CLASSES, readFashion } from '../../fixtures/fashion'

/** The first n images' embeddings (n < split.n: a quick look, cached under its own name). */
export async function embedFashion(model: Model, name: 'train' | 't10k', split: FashionSplit, n = split.n): Promise<Float32Array> {
  return embedCached(model, n === split.n ? `fashion-${name}` : `fashion-${name}-${n}`, n, async (i, out, off) => toTensor(await fashionPng(split, i), model.card.input, out, off))
}
