/**
 * Reading a claim's upload: 1–6 invoice pages (JPEG, PNG, WebP) or one PDF e-bill, and optionally one
 * outpatient-record photo. Everything is checked before anything is stored; the file type is what the
 * bytes say, never what the name or the declared type says.
 */
import type { Multipart } from '@fastify/multipart';
import { ApiError } from '../http/errors.ts';
import type { ClaimFile } from './store.ts';

export const MAX_INVOICE_PAGES = 6;
export const MAX_FILE_BYTES = 15 * 1024 * 1024;
export const MAX_PARTS = MAX_INVOICE_PAGES + 4;
/** Explicit limit: all the files of one upload together (six phone photos are a few MB; one PDF e-bill at most 15). */
export const MAX_UPLOAD_BYTES = 40 * 1024 * 1024;
const MIN_FILE_BYTES = 100;

export interface UploadedFile extends Omit<ClaimFile, 'sha256'> {
  bytes: Buffer;
}

export interface Upload {
  files: UploadedFile[];
  fields: Record<string, string>;
}

function mediaTypeOf(bytes: Buffer): ClaimFile['mediaType'] | 'heic' | null {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (bytes.subarray(0, 4).toString('latin1') === 'RIFF' && bytes.subarray(8, 12).toString('latin1') === 'WEBP') return 'image/webp';
  if (bytes.subarray(0, 5).toString('latin1') === '%PDF-') return 'application/pdf';
  if (bytes.subarray(4, 8).toString('latin1') === 'ftyp' && /^(heic|heix|mif1|msf1|hevc)$/.test(bytes.subarray(8, 12).toString('latin1'))) return 'heic';
  return null;
}

const FILE_FIELDS = { invoice: 'invoice', record: 'record' } as const;
/** Text fields longer than the default 200 characters: an appeal's message (UTF-8: at most 4 bytes a character, MAX_FIELD_BYTES). */
const FIELD_MAX_CHARS: Readonly<Record<string, number>> = { message: 500 };
/** The parser's byte limit for one text field: the longest field of FIELD_MAX_CHARS in 4-byte characters. */
export const MAX_FIELD_BYTES = 500 * 4;

/** Reads every part of the multipart body into memory within the limits, or refuses with a specific error. */
export async function readUpload(parts: AsyncIterableIterator<Multipart>): Promise<Upload> {
  try {
    return await readParts(parts);
  } catch (err) {
    if (err instanceof ApiError) throw err;
    // the multipart parser's refusals (no boundary, a truncated body, broken part headers) carry no code: the body is at fault
    throw new ApiError(400, 'malformed_body', `the multipart body cannot be read: ${(err as Error).message}`);
  }
}

async function readParts(parts: AsyncIterableIterator<Multipart>): Promise<Upload> {
  const files: UploadedFile[] = [];
  const fields: Record<string, string> = {};
  let uploadBytes = 0;
  for await (const part of parts) {
    if (part.type === 'field') {
      const maxChars = FIELD_MAX_CHARS[part.fieldname] ?? 200;
      // a value longer than the parser's byte limit arrives cut short: refused, never taken as what was sent
      if (typeof part.value !== 'string' || part.valueTruncated || part.value.length > maxChars) {
        throw new ApiError(400, 'invalid_field', `field ${part.fieldname} must be text of at most ${maxChars} characters`, part.fieldname);
      }
      fields[part.fieldname] = part.value;
      continue;
    }
    const role = FILE_FIELDS[part.fieldname as keyof typeof FILE_FIELDS];
    if (!role) {
      part.file.resume();
      throw new ApiError(400, 'unknown_file_field', `files go in the fields "invoice" (1–${MAX_INVOICE_PAGES} pages) and "record" (optional); got "${part.fieldname}"`, part.fieldname);
    }
    // refused as the part begins, before it is read: one file too many is never held in memory
    if (files.filter((f) => f.role === role).length >= (role === 'invoice' ? MAX_INVOICE_PAGES : 1)) {
      part.file.resume();
      throw new ApiError(400, 'too_many_files', role === 'invoice' ? `at most ${MAX_INVOICE_PAGES} invoice pages` : 'at most one outpatient-record photo', part.fieldname);
    }
    const bytes = await part.toBuffer().catch((err: unknown) => {
      if ((err as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') throw new ApiError(413, 'file_too_large', `each file must be at most ${MAX_FILE_BYTES} bytes`, part.fieldname);
      throw err;
    });
    uploadBytes += bytes.length;
    if (uploadBytes > MAX_UPLOAD_BYTES) throw new ApiError(413, 'payload_too_large', `the files of one claim may add up to at most ${MAX_UPLOAD_BYTES} bytes`, part.fieldname);
    if (bytes.length < MIN_FILE_BYTES) throw new ApiError(400, 'file_empty', `file ${part.filename || part.fieldname} is empty or too small to be a photo`, part.fieldname);
    const mediaType = mediaTypeOf(bytes);
    if (mediaType === 'heic') throw new ApiError(415, 'unsupported_file_type', 'HEIC photos cannot be read here: set the camera to "most compatible" (JPEG) or upload a screenshot', part.fieldname);
    if (mediaType === null) throw new ApiError(415, 'unsupported_file_type', `file ${part.filename || part.fieldname} is not a JPEG, PNG, WebP or PDF (judged by its content)`, part.fieldname);
    if (role === 'record' && mediaType === 'application/pdf') throw new ApiError(415, 'unsupported_file_type', 'the outpatient record must be a photo', part.fieldname);
    files.push({ bytes, mediaType, sizeBytes: bytes.length, role });
  }
  checkComposition(files);
  return { files, fields };
}

function checkComposition(files: readonly UploadedFile[]): void {
  const invoices = files.filter((f) => f.role === 'invoice');
  if (invoices.length === 0) throw new ApiError(400, 'invoice_missing', 'attach the invoice: 1 to 6 photos of its pages, or its PDF e-bill, in the field "invoice"', 'invoice');
  const pdfs = invoices.filter((f) => f.mediaType === 'application/pdf');
  if (pdfs.length > 0 && invoices.length > 1) throw new ApiError(400, 'mixed_invoice_files', 'send either one PDF e-bill or photos of the pages, not both or several PDFs', 'invoice');
}
