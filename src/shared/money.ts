/** The one conversion between yuan as people write it and integer fen (DESIGN.md: money is integer fen, never floats). */
/** "1,234.5" / "¥12.30" / "12" → fen, by string arithmetic (never through a float). Null if it is not an amount. */
export function parseYuanToFen(text: string): number | null {
  const match = /^[¥￥]?(-?)(\d{1,9})(?:\.(\d{1,2}))?$/.exec(text.replace(/[,，\s]/g, ''));
  if (!match) return null;
  const fen = Number(match[2]) * 100 + Number((match[3] ?? '').padEnd(2, '0'));
  return match[1] === '-' ? -fen : fen;
}

export function formatFenAsYuan(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}
