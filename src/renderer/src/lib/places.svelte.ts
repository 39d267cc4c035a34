// The Map screen's state: where the photos were taken (the places API), loaded when the screen opens.
import type { Places } from '../../../shared/api'
import { call } from './client'
import { report } from './errors.svelte'

class PlacesState {
  data = $state<Places | null>(null)
  loading = $state(false)

  async load(): Promise<void> {
    this.loading = true
    try {
      this.data = await call('places', {})
    } catch (err) {
      report(err)
    } finally {
      this.loading = false
    }
  }
}

export const places = new PlacesState()
