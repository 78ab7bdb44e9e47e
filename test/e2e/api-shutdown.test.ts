import { request as httpRequest, type IncomingMessage } from 'node:http';
import { Role } from '@inbox/access';
import { signInAs } from '../factories/staff';
import { json, startTestStack } from '../support/test-stack';

/**
 * A redeploy stops the api while staff have the workspace open: their live streams must end (the browser's
 * EventSource reconnects to a running process) instead of holding the shutdown until every tab is closed.
 */
describe('api shutdown with live streams open (e2e)', () => {
  it('ends each open stream and closes without waiting for its client', async () => {
    const stack = await startTestStack();
    let closing: Promise<void> | undefined;
    const streams: ReturnType<typeof httpRequest>[] = [];
    try {
      const clerk = await signInAs(stack.api, stack.baseUrl, Role.Clerk, 'minzhkh');
      const open = async () => {
        const res = await fetch(`${stack.baseUrl}/api/v1/appeals/stream/ticket`, {
          method: 'POST',
          headers: clerk.headers,
          body: '{}',
        });
        const { ticket } = (await json(res)) as { ticket: string };
        const req = httpRequest(
          `${stack.baseUrl}/api/v1/appeals/stream?ticket=${encodeURIComponent(ticket)}`,
        );
        streams.push(req);
        const response = await new Promise<IncomingMessage>((resolve, reject) => {
          req.on('response', resolve);
          req.on('error', reject);
          req.end();
        });
        expect(response.statusCode).toBe(200);
        response.setEncoding('utf8');
        let text = '';
        const ready = new Promise<void>((resolve) =>
          response.on('data', (chunk: string) => {
            text += chunk;
            if (text.includes('event: ready')) resolve();
          }),
        );
        const ended = new Promise<void>((resolve) => response.on('end', resolve));
        await ready;
        // Wrapped: an async function returning the promise itself would wait for the end.
        return { ended };
      };
      const streamsOpen = [await open(), await open()];

      closing = stack.close();
      const outcome = await Promise.race([
        closing.then(() => 'closed' as const),
        new Promise<'still open'>((resolve) => setTimeout(() => resolve('still open'), 10_000).unref()),
      ]);
      expect(outcome).toBe('closed');
      // Each stream was ended by the server (a clean end of the response), not cut by the client.
      await Promise.all(streamsOpen.map((s) => s.ended));
    } finally {
      for (const req of streams) req.destroy();
      await (closing ?? stack.close());
    }
  }, 60_000);
});
