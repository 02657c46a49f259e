export type RecognitionErrorCode =
  | 'empty_file'
  | 'file_too_large'
  | 'image_too_large'
  | 'unsupported_format'
  | 'truncated'
  | 'corrupt'
  /** A PDF whose images or streams together pass its budget (pixels, inflated bytes). */
  | 'document_too_large'
  /** A document with more pieces of text than any invoice prints. */
  | 'too_much_text'
  /** Reading the document took longer than its time budget. */
  | 'recognition_timeout'
  | 'model_unavailable';

/** A refusal the caller can act on: the input (or the installation) is at fault, not the recogniser. */
export class RecognitionError extends Error {
  readonly code: RecognitionErrorCode;

  constructor(code: RecognitionErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RecognitionError';
    this.code = code;
  }
}
