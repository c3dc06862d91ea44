// The WebSocket check the tunnel tests share: open a WebSocket to the fake upstream's echo through
// Moatless, read its hello, send `text` and read the echo.
import { WebSocket } from 'ws';

export async function echoThrough(port: number, host: string, cookie: string, text: string): Promise<{ hello: unknown; echo: string }> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, { headers: { host: `${host}:${port}`, cookie } });
  const msgs: string[] = [];
  await new Promise<void>((resolve, reject) => {
    ws.on('message', (m) => {
      msgs.push(String(m));
      if (msgs.length === 1) ws.send(text);
      else resolve();
    });
    ws.on('error', reject);
  });
  ws.close();
  return { hello: JSON.parse(msgs[0]!), echo: msgs[1]! };
}
