import QRCode from 'qrcode';

export const SERIF = 'Noto Serif CJK SC';
export const SANS = 'Noto Sans CJK SC';
export const HEI = 'WenQuanYi Zen Hei';

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export interface TextStyle {
  readonly size?: number;
  readonly font?: string;
  readonly anchor?: 'start' | 'middle' | 'end';
  readonly fill?: string;
  readonly weight?: 'normal' | 'bold';
}

export function text(x: number, y: number, content: string, style: TextStyle = {}): string {
  const { size = 22, font = SERIF, anchor = 'start', fill = '#111', weight = 'normal' } = style;
  return `<text x="${x}" y="${y}" font-family="${font}" font-size="${size}" font-weight="${weight}" text-anchor="${anchor}" fill="${fill}">${escapeXml(content)}</text>`;
}

export function line(x1: number, y1: number, x2: number, y2: number, stroke = '#555', width = 1.5): string {
  return `<line x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}" stroke="${stroke}" stroke-width="${width}"/>`;
}

export function qrCode(payload: string, x: number, y: number, size: number): string {
  const qr = QRCode.create(payload, { errorCorrectionLevel: 'M' });
  const n = qr.modules.size;
  const quiet = 2;
  const cell = size / (n + 2 * quiet);
  let path = '';
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) if (qr.modules.get(r, c)) path += `M${(c + quiet) * cell + x} ${(r + quiet) * cell + y}h${cell}v${cell}h${-cell}z`;
  }
  return `<rect x="${x}" y="${y}" width="${size}" height="${size}" fill="#fff"/><path d="${path}" fill="#000" shape-rendering="crispEdges"/>`;
}

/**
 * A round red seal with the issuer's name around the rim. `opaque` seals are stamped over the text
 * (hiding strokes, as heavy ink does); the others blend like real ink, which leaves toner black.
 */
export function seal(cx: number, cy: number, radius: number, rim: string, centre: string, angle: number, opaque: boolean): string {
  const colour = '#d9251d';
  const chars = [...rim];
  const span = Math.min(250, chars.length * 24);
  const parts = chars.map((ch, i) => {
    const a = -span / 2 + (span * (i + 0.5)) / chars.length;
    return `<text x="${cx}" y="${cy - radius * 0.68}" font-family="${SERIF}" font-size="${radius * 0.26}" text-anchor="middle" fill="${colour}" transform="rotate(${a} ${cx} ${cy})">${escapeXml(ch)}</text>`;
  });
  const star = Array.from({ length: 10 }, (_, i) => {
    const r = i % 2 === 0 ? radius * 0.24 : radius * 0.1;
    const a = (Math.PI / 5) * i - Math.PI / 2;
    return `${cx + r * Math.cos(a)},${cy + r * Math.sin(a)}`;
  }).join(' ');
  const blend = opaque ? 'opacity:0.92' : 'mix-blend-mode:multiply;opacity:0.85';
  return `<g style="${blend}" transform="rotate(${angle} ${cx} ${cy})"><circle cx="${cx}" cy="${cy}" r="${radius}" fill="none" stroke="${colour}" stroke-width="${radius * 0.06}"/>${parts.join('')}<polygon points="${star}" fill="${colour}"/>${text(cx, cy + radius * 0.55, centre, { size: radius * 0.2, anchor: 'middle', fill: colour })}</g>`;
}

export function watermark(width: number, height: number, label: string): string {
  const marks: string[] = [];
  for (let y = 120; y < height; y += 260) {
    for (let x = 80; x < width; x += 420) marks.push(text(x, y, label, { size: 30, fill: '#e8e3d8', font: SANS }));
  }
  return `<g transform="rotate(-20 ${width / 2} ${height / 2})">${marks.join('')}</g>`;
}

export function svgDocument(width: number, height: number, background: string, body: string[]): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="${background}"/>${body.join('')}</svg>`;
}
