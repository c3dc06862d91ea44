// `moatless isolation sessions [--end ID] [--json] [--url URL]`: the isolation sessions every server
// sharing this store has registered (refreshed every 10 s), and ending one (through the change
// feed, so the process holding it ends it) — from the store, or with --url through the admin API.
// Must not: touch a browser itself.
import { END_TOPIC, REGISTRY_NS, type SessionSummary } from '../../isolation/index.ts';
import { flag, type ParsedArgs } from '../args.ts';
import { withConfigAndStore } from '../load-config.ts';
import { viaApiOrStore } from '../remote.ts';

type Row = Pick<SessionSummary, 'id' | 'user' | 'state' | 'tabs' | 'viewer' | 'host' | 'url'> & { startedAt: number; worker?: string | null | undefined };

function print(args: ParsedArgs, rows: readonly Row[], json: unknown): number {
  if (args.flags.has('json')) {
    process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
    return 0;
  }
  if (rows.length === 0) process.stdout.write('no isolation sessions\n');
  for (const r of rows) {
    const age = Math.round((Date.now() - r.startedAt) / 60_000);
    process.stdout.write(`${r.id}  ${r.user}  ${r.state}  ${age} min  ${r.tabs} tab(s)  viewer:${r.viewer ? 'yes' : 'no'}  ${r.worker ? `worker:${r.worker}` : r.host}  ${r.url}\n`);
  }
  return 0;
}

const ended = (id: string) => process.stdout.write(`asked the server holding isolation session ${id} to end it\n`);

export async function isolationSessions(args: ParsedArgs): Promise<number> {
  const end = flag(args, 'end');
  return viaApiOrStore(args, async (api) => {
    if (end !== undefined) {
      await api.post('/isolation/sessions/end', { id: end });
      ended(end);
      return 0;
    }
    const { items } = await api.get<{ items: Array<Omit<Row, 'startedAt'> & { startedAt: string }> }>('/isolation/sessions');
    return print(args, items.map((r) => ({ ...r, startedAt: Date.parse(r.startedAt) })), items);
  }, () => withConfigAndStore(args, async (store) => {
    const rows = (await store.kv.list(REGISTRY_NS)).map((r) => JSON.parse(r.value) as SessionSummary);
    if (end !== undefined) {
      if (!rows.some((r) => r.id === end)) {
        process.stderr.write(`isolation sessions: no session ${end} is registered; run without --end to list them\n`);
        return 1;
      }
      await store.changes.publish(END_TOPIC, { id: end });
      ended(end);
      return 0;
    }
    return print(args, rows, rows);
  }));
}
