// The Duplicates screen's state: the groups (copies, and apart the similar photos), and the export
// of groups as lists of paths (a download: the app never deletes or moves a photo).
import type { DuplicateGroup, Duplicates } from '../../../shared/api'
import { call } from './client'
import { report } from './errors.svelte'

class DuplicatesState {
  data = $state<Duplicates | null>(null)
  loading = $state(false)

  copies = $derived(this.data?.groups.filter((g) => g.kind !== 'similar') ?? [])
  similar = $derived(this.data?.groups.filter((g) => g.kind === 'similar') ?? [])

  async load(): Promise<void> {
    this.loading = true
    try {
      this.data = await call('duplicates', { kind: 'all' })
    } catch (err) {
      report(err)
    } finally {
      this.loading = false
    }
  }
}

export const duplicates = new DuplicatesState()

/** Groups as text: per group a comment line, then the copy to keep, then the other copies' paths. */
export function pathList(groups: DuplicateGroup[]): string {
  return groups
    .map((g, i) => {
      const keep = g.photos.find((p) => p.id === g.best)!
      const others = g.photos.filter((p) => p.id !== g.best)
      return [`# group ${i + 1}: ${g.kind}, ${g.photos.length} photos; keep the first`, keep.path, ...others.map((p) => p.path)].join('\n')
    })
    .join('\n\n')
    .concat('\n')
}

/** Saves text as a file through the browser's download (the Electron window saves it the same way). */
export function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/plain' }))
  const a = document.createElement('a')
  a.href = url
  a.download = name
  document.body.append(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 1000)
}
