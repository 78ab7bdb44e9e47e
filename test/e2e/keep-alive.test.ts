import { connect, type Socket } from 'node:net';
import { startTestStack, type TestStack } from '../support/test-stack';

/** One HTTP/1.1 request on an open connection, and its whole response (the pages asked for are small). */
function ask(socket: Socket, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (chunk: Buffer) => {
      text += chunk.toString('latin1');
      const head = text.indexOf('\r\n\r\n');
      const length = /\r\ncontent-length: (\d+)/i.exec(text);
      if (head >= 0 && length && text.length >= head + 4 + Number(length[1])) done(() => resolve(text));
    };
    const onEnd = () =>
      done(() => reject(new Error(`connection closed by the server; read: ${text.slice(0, 80)}`)));
    const done = (settle: () => void) => {
      socket.off('data', onData).off('end', onEnd).off('error', reject);
      settle();
    };
    socket.on('data', onData).on('end', onEnd).on('error', reject);
    socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n`);
  });
}

/**
 * A kept-alive connection left idle: a proxy in front of us (nginx keeps one 60 s) or a client sends the next
 * request on it after a pause. Node's 5 s closed it first, and a request sent as it closed failed (ECONNRESET in a
 * full test run, a 502 behind a proxy).
 */
describe('kept-alive connections (e2e)', () => {
  let stack: TestStack | undefined;
  afterAll(async () => {
    await stack?.close();
  });

  it('answers on a connection idle for longer than Node’s default, and a stop does not wait for it', async () => {
    stack = await startTestStack();
    const { port } = new URL(stack.baseUrl);
    const socket = connect(Number(port), '127.0.0.1');
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    let closed = false;
    socket.on('close', () => (closed = true));
    try {
      expect(await ask(socket, '/api/docs-json')).toMatch(/^HTTP\/1\.1 200 /);
      await new Promise((resolve) => setTimeout(resolve, 6_500));
      expect(closed).toBe(false);
      expect(await ask(socket, '/api/docs-json')).toMatch(/^HTTP\/1\.1 200 /);
      // The idle connection does not hold a redeploy's stop.
      const started = Date.now();
      await stack.close();
      stack = undefined;
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      socket.destroy();
    }
  });
});
