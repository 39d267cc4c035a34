// The Arrow schemas of the library's LanceDB tables (the photo table is one per model: its width).
import { Field, FixedSizeList, Float32, Float64, Int32, Schema, Utf8 } from 'apache-arrow'

export const META_COLUMNS = [
  'id', 'path', 'folder', 'name', 'hash', 'size', 'mtime_ms', 'width', 'height', 'taken_at', 'camera', 'lens',
  'latitude', 'longitude', 'orientation', 'label', 'label_conf', 'label_dims', 'model'
]

export function photoSchema(dims: number): Schema {
  const s = (name: string, nullable = false) => new Field(name, new Utf8(), nullable)
  const f64 = (name: string, nullable = false) => new Field(name, new Float64(), nullable)
  const i32 = (name: string, nullable = false) => new Field(name, new Int32(), nullable)
  return new Schema([
    i32('id'), s('path'), s('folder'), s('name'), s('hash'), f64('size'), f64('mtime_ms'), i32('width'), i32('height'),
    s('taken_at', true), s('camera', true), s('lens', true), f64('latitude', true), f64('longitude', true),
    i32('orientation', true), s('label'), new Field('label_conf', new Float32(), false), i32('label_dims'), s('model'),
    new Field('embedding', new FixedSizeList(dims, new Field('item', new Float32(), true)), false)
  ])
}

export const folderSchema = new Schema([new Field('path', new Utf8(), false), new Field('added_ms', new Float64(), false)])
export const skippedSchema = new Schema([
  new Field('path', new Utf8(), false),
  new Field('reason', new Utf8(), false),
  new Field('size', new Float64(), false),
  new Field('mtime_ms', new Float64(), false)
])

export const labelSchema = new Schema([new Field('name', new Utf8(), false), new Field('created_ms', new Float64(), false)])
export const assignmentSchema = new Schema([new Field('path', new Utf8(), false), new Field('label', new Utf8(), false)])
