// The state both editors share: loading the object with its ETag, and saving with progress and
// the API's refusal kept for the form to show.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.ts';

export function useEditor<T>(path: string | null, apply: (data: T) => void) {
  const [etag, setEtag] = useState<string | null>(null);
  const [loading, setLoading] = useState(path !== null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | null>(null);

  async function load() {
    if (path === null) return;
    setLoading(true);
    setError(null);
    try {
      const r = await api.read<T>(path);
      setEtag(r.etag);
      apply(r.data);
    } catch (err) {
      setError(err as Error);
    } finally {
      setLoading(false);
    }
  }
  useEffect(() => void load(), [path]);

  /** Runs the write; on success `done`, on refusal the error stays for the form. */
  async function save(write: (ifMatch: string | undefined) => Promise<unknown>, done: () => void) {
    setBusy(true);
    setError(null);
    try {
      await write(etag ?? undefined);
      done();
    } catch (err) {
      setError(err as Error);
    } finally {
      setBusy(false);
    }
  }
  return { loading, busy, error, load, save };
}
