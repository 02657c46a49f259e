/**
 * When a photo cannot be read, the merchant is told how to take a better one: the first quality
 * reason the recogniser measured (light, reflection, blur, framing, resolution), or that no
 * invoice was found.
 */
import { assessPhoto, type PhotoQualityReason } from '../recognition/index.ts';

export interface PhotoAdvice {
  code: PhotoQualityReason | 'damaged_file' | 'too_large_to_read';
  zh: string;
  en: string;
}

const ADVICE: Record<PhotoAdvice['code'], Omit<PhotoAdvice, 'code'>> = {
  too_dark: { zh: '照片太暗，请在光线充足的地方重拍。', en: 'The photo is too dark: retake it in good light.' },
  glare: { zh: '票据上有反光，请避开灯光直射、换个角度重拍。', en: 'Light reflects off the invoice: move away from direct light, tilt the phone a little and retake it.' },
  too_blurred: { zh: '照片模糊，请拿稳手机、对焦后重拍。', en: 'The photo is blurred: hold the phone steady, let it focus, and retake it.' },
  too_small_in_frame: { zh: '票据在画面中太小，请靠近票据、让票据占满画面后重拍。', en: 'The invoice is too small in the photo: move closer so that it fills the frame, and retake it.' },
  too_low_resolution: { zh: '照片分辨率太低，请用相机原图重新上传。', en: 'The photo has too few pixels: send the camera\'s original photo, not a thumbnail.' },
  not_an_invoice: { zh: '未能识别出票据，请让票据占满画面、四角完整后重拍。', en: 'No invoice was found: let the invoice fill the frame, all four corners visible, and retake it.' },
  too_large_to_read: { zh: '文件过大或过于复杂，无法识别，请上传开具时的电子票据原件或票据照片。', en: 'The file is too large or too complex to read: send the e-bill as it was issued, or a photo of the invoice.' },
  damaged_file: { zh: '照片文件已损坏，请重新拍摄上传。', en: 'The photo file is damaged: take it again and upload the new one.' },
};

export function advice(code: PhotoAdvice['code']): PhotoAdvice {
  return { code, ...ADVICE[code] };
}

/** Why an image that yielded no invoice is unusable, the reason to fix first; a photo that looks fine had no invoice on it. */
export async function advisePhoto(bytes: Buffer): Promise<PhotoAdvice> {
  try {
    const quality = await assessPhoto(bytes);
    return advice(quality?.reasons[0]?.code ?? 'not_an_invoice');
  } catch {
    return advice('damaged_file');
  }
}
