/** PDFs built byte by byte for the malicious-input tests: what an attacker would hand-write. */
import zlib from 'node:zlib';

/** A PDF of one page whose objects (from 4 on) are given; 1 is the catalogue, 2 the page tree, 3 the page. */
export function pdfOf(page: { resources: string; contents: number }, objects: readonly (string | Buffer)[]): Buffer {
  const all: (string | Buffer)[] = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 600 800] /Resources ${page.resources} /Contents ${page.contents} 0 R >>`,
    ...objects,
  ];
  const parts: Buffer[] = [Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  const offsets: number[] = [];
  let length = parts[0]!.length;
  all.forEach((body, i) => {
    offsets.push(length);
    const part = Buffer.concat([Buffer.from(`${i + 1} 0 obj\n`, 'latin1'), typeof body === 'string' ? Buffer.from(body, 'latin1') : body, Buffer.from('\nendobj\n', 'latin1')]);
    parts.push(part);
    length += part.length;
  });
  const xref = `xref\n0 ${all.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}trailer\n<< /Size ${all.length + 1} /Root 1 0 R >>\nstartxref\n${length}\n%%EOF\n`;
  return Buffer.concat([...parts, Buffer.from(xref, 'latin1')]);
}

/** A stream object: its dictionary entries and its data, deflated when `flate`. */
export function stream(entries: string, data: Buffer, flate = true): Buffer {
  const body = flate ? zlib.deflateSync(data, { level: 9 }) : data;
  return Buffer.concat([Buffer.from(`<< ${entries}${flate ? ' /Filter /FlateDecode' : ''} /Length ${body.length} >>\nstream\n`, 'latin1'), body, Buffer.from('\nendstream', 'latin1')]);
}

/** `count` blank grey images of width × height painted on the page: a scan with no text, as pdf.js decodes it. */
export function imageBomb(count: number, width: number, height: number): Buffer {
  const blank = stream(`/Type /XObject /Subtype /Image /Width ${width} /Height ${height} /ColorSpace /DeviceGray /BitsPerComponent 8`, Buffer.alloc(width * height, 255));
  const names = Array.from({ length: count }, (_, i) => `/Im${i} ${5 + i} 0 R`).join(' ');
  const paint = Array.from({ length: count }, (_, i) => `q 600 0 0 800 0 0 cm /Im${i} Do Q`).join('\n');
  return pdfOf({ resources: `<< /XObject << ${names} >> >>`, contents: 4 }, [stream('', Buffer.from(paint)), ...Array.from({ length: count }, () => blank)]);
}

/** A page whose content stream inflates to `bytes` of whitespace: a few hundred kilobytes on the wire. */
export function streamBomb(bytes: number): Buffer {
  return pdfOf({ resources: '<< >>', contents: 4 }, [stream('', Buffer.alloc(bytes, 0x20))]);
}

/** `runs` one-character text runs, each placed on its own: kilobytes of PDF, a flood of text pieces. */
export function textRunBomb(runs: number): Buffer {
  const ops = Array.from({ length: runs }, (_, i) => `1 0 0 1 ${(i * 37) % 560} ${(i * 13) % 780} Tm (${String.fromCharCode(65 + (i % 26))}) Tj`).join('\n');
  return pdfOf({ resources: '<< /Font << /F1 5 0 R >> >>', contents: 4 }, [stream('', Buffer.from(`BT /F1 8 Tf\n${ops}\nET`)), '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>']);
}
