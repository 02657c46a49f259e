/** Pages one claim takes at most (the server's limit too). */
export const MAX_PAGES = 6;

/**
 * The chosen files this browser can read as pictures, and the names of the others (a text file, or
 * one named .jpg that is not a JPEG): told at once, rather than failing the upload later.
 */
export async function picturesAmong(files: readonly File[]): Promise<{ pictures: File[]; notPictures: string[] }> {
  const readable = await Promise.all(
    files.map((file) =>
      createImageBitmap(file).then(
        (bitmap) => (bitmap.close(), true),
        () => false,
      ),
    ),
  );
  return { pictures: files.filter((_, i) => readable[i]), notPictures: files.filter((_, i) => !readable[i]).map((f) => f.name) };
}

/** Longest side after downscaling: enough for OCR (the server refuses below 600 px), small enough for a phone's upload. */
export const MAX_SIDE_PX = 2000;
const JPEG_QUALITY = 0.85;

/** A camera photo re-encoded as JPEG at most MAX_SIDE_PX on its longest side (EXIF orientation applied by the browser). */
export async function downscale(file: File): Promise<Blob> {
  const bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
  const scale = Math.min(1, MAX_SIDE_PX / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement('canvas');
  canvas.width = Math.round(bitmap.width * scale);
  canvas.height = Math.round(bitmap.height * scale);
  canvas.getContext('2d')!.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
  return new Promise((resolve, reject) => canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('the photo could not be encoded'))), 'image/jpeg', JPEG_QUALITY));
}

/** The multipart form of a claim: every page as an `invoice` part. */
export async function invoiceForm(files: readonly File[]): Promise<FormData> {
  const form = new FormData();
  const blobs = await Promise.all(files.map(downscale));
  blobs.forEach((blob, i) => form.append('invoice', blob, `page-${i + 1}.jpg`));
  return form;
}
