// The text read in the photo the viewer shows (photoText), shared by its boxes over the photo and
// its lines beside it; and whether the boxes are shown.
import type { PhotoText } from '../../../shared/api'
import { call } from './client'
import { report } from './errors.svelte'

class ViewerText {
  /** the photo's text once fetched (null: not yet) */
  current = $state<PhotoText | null>(null)
  /** the boxes over the photo: on until the user turns them off */
  boxes = $state(true)
  /** the line under the pointer, lit in both places */
  hovered = $state<number | null>(null)
  private wanted: number | null = null

  load(id: number): void {
    if (this.wanted === id) return
    this.wanted = id
    this.current = null
    this.hovered = null
    call('photoText', { id })
      .then((t) => {
        if (this.wanted === id) this.current = t
      })
      .catch(report)
  }
}

export const viewerText = new ViewerText()
