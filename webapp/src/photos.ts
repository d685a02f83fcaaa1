// Photos as citizens send them: from a phone on mobile data. A 12 MP camera
// photo of 3–5 MB is shrunk in the browser to about 1600 px on its long side
// (a few hundred KB), and the camera's EXIF block (capture time, GPS) is carried
// into the smaller JPEG, so the server's checks (photo taken now, here) still
// work. The block is copied as it is, with two changes: the orientation is set
// to "upright", because the pixels are drawn upright already, and the embedded
// thumbnail is unlinked. Anything the browser cannot decode (HEIC on most
// browsers) or that is already small goes as it is.

export const MAX_SIDE = 1600;
const QUALITY = 0.85;
const SMALL_ENOUGH = 600 * 1024;

export interface Prepared {
  blob: Blob;
  name: string;
  originalBytes: number;
  downscaled: boolean;
}

/** The APP1 "Exif" segment of a JPEG (marker included), or null. */
export function exifSegment(bytes: Uint8Array): Uint8Array | null {
  if (bytes[0] !== 0xff || bytes[1] !== 0xd8) return null;
  let offset = 2;
  while (offset + 4 <= bytes.length && bytes[offset] === 0xff) {
    const marker = bytes[offset + 1];
    if (marker === 0xda || marker === 0xd9) return null; // image data: no more headers
    const length = (bytes[offset + 2] << 8) | bytes[offset + 3];
    if (length < 2 || offset + 2 + length > bytes.length) return null;
    const isExif =
      marker === 0xe1 &&
      length >= 8 &&
      String.fromCharCode(...bytes.subarray(offset + 4, offset + 8)) === 'Exif';
    if (isExif) return bytes.slice(offset, offset + 2 + length);
    offset += 2 + length;
  }
  return null;
}

/** The segment with orientation = 1 and no link to a thumbnail (IFD1). */
export function uprightExif(segment: Uint8Array): Uint8Array {
  const out = segment.slice();
  const tiff = 10; // FF E1, length (2), "Exif\0\0"
  if (out.length < tiff + 8) return out;
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const little = view.getUint16(tiff) === 0x4949;
  const ifd0 = tiff + view.getUint32(tiff + 4, little);
  if (ifd0 + 2 > out.length) return out;
  const count = view.getUint16(ifd0, little);
  for (let i = 0; i < count; i++) {
    const entry = ifd0 + 2 + i * 12;
    if (entry + 12 > out.length) return out;
    if (view.getUint16(entry, little) === 0x0112) view.setUint16(entry + 8, 1, little);
  }
  const next = ifd0 + 2 + count * 12;
  if (next + 4 <= out.length) view.setUint32(next, 0, little);
  return out;
}

/** The JPEG with ``segment`` inserted right after its start-of-image marker. */
export function withExif(jpeg: Uint8Array, segment: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(jpeg.length + segment.length);
  out.set(jpeg.subarray(0, 2), 0);
  out.set(segment, 2);
  out.set(jpeg.subarray(2), 2 + segment.length);
  return out;
}

function toBlob(canvas: HTMLCanvasElement): Promise<Blob | null> {
  return new Promise((resolve) => canvas.toBlob(resolve, 'image/jpeg', QUALITY));
}

/** A photo ready to upload: downscaled with its EXIF when that helps, else as it is. */
export async function preparePhoto(file: File): Promise<Prepared> {
  const asIs: Prepared = { blob: file, name: file.name, originalBytes: file.size, downscaled: false };
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
  } catch {
    return asIs; // HEIC and friends: the server reads them
  }
  const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
  if (scale === 1 && file.size <= SMALL_ENOUGH) {
    bitmap.close();
    return asIs;
  }
  const canvas = document.createElement('canvas');
  canvas.width = Math.round(bitmap.width * scale);
  canvas.height = Math.round(bitmap.height * scale);
  canvas.getContext('2d')!.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
  const small = await toBlob(canvas);
  if (!small || small.size >= file.size) return asIs;
  let bytes: Uint8Array<ArrayBuffer> = new Uint8Array(await small.arrayBuffer());
  const segment = exifSegment(new Uint8Array(await file.slice(0, 256 * 1024).arrayBuffer()));
  if (segment) bytes = withExif(bytes, uprightExif(segment));
  const name = file.name.replace(/\.[^.]*$/, '') + '.jpg';
  return { blob: new Blob([bytes], { type: 'image/jpeg' }), name, originalBytes: file.size, downscaled: true };
}
