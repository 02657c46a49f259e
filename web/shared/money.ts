import { formatFenAsYuan, parseYuanToFen } from '../../src/shared/money.ts';

/** ¥12.30 from 1230 fen: the project's one fen → yuan conversion, with the currency sign. */
export function yuan(fen: number): string {
  return `¥${formatFenAsYuan(fen)}`;
}

/** 1230 from "12.30" (or "12.3", "12"); null for anything that is not an amount in yuan. */
export function fenFromYuan(text: string): number | null {
  return parseYuanToFen(text.trim());
}
