// The text read in a photo, for the viewer: its lines and their boxes (the text signal).
import type { Input, Output } from '../../shared/api'
import { UserError } from '../../shared/errors'
import { TEXT, type PhotoText } from '../jobs/signals/text'
import type { EngineContext } from './context'

export class PhotoTextService {
  constructor(private readonly ctx: EngineContext) {}

  async photoText({ id }: Input<'photoText'>): Promise<Output<'photoText'>> {
    const m = this.ctx.slot.current.meta.get(id)
    if (!m) throw new UserError(`no photo ${id}`, 404)
    const value = this.ctx.signals.value<PhotoText>(TEXT, m)
    return value ? { id, state: 'read', lines: value.lines } : { id, state: 'pending', lines: [] }
  }
}
