import { Button } from 'antd';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Page } from './api.ts';

/** A cursor-paged list: the first page when `fetchPage` changes, then "load more". */
export function usePaged<T>(fetchPage: ((cursor: string | null) => Promise<Page<T>>) | null) {
  const [rows, setRows] = useState<T[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const latest = useRef(0);
  const load = useCallback(
    async (from: string | null) => {
      if (!fetchPage) return;
      const ticket = ++latest.current;
      const page = await fetchPage(from);
      // a later load (a new search, a reload after a change) was asked meanwhile: its answer is the newer
      if (ticket !== latest.current) return;
      setRows((prev) => (from && prev ? [...prev, ...page.data] : page.data));
      setCursor(page.hasMore ? page.nextCursor : null);
    },
    [fetchPage],
  );
  useEffect(() => {
    setRows(null);
    void load(null);
  }, [load]);
  return { rows, cursor, more: () => void load(cursor), reload: () => void load(null) };
}

export function MoreButton({ cursor, onMore }: { cursor: string | null; onMore: () => void }) {
  const { t } = useTranslation();
  return cursor ? (
    <Button onClick={onMore} style={{ marginTop: 12 }}>
      {t('common.more')}
    </Button>
  ) : null;
}

export const when = (iso: string | null, language: string) => (iso ? new Date(iso).toLocaleString(language) : '—');
