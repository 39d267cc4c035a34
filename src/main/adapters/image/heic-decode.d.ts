// heic-decode ships no types: its default export decodes the primary image of a HEIF file.
declare module 'heic-decode' {
  function decode(input: { buffer: ArrayBufferLike | Uint8Array }): Promise<{ width: number; height: number; data: Uint8ClampedArray }>
  export default decode
}
