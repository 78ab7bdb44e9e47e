import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';

/** A remote channel at the network boundary: takes POSTed events while up, answers 503 while down. */
export class RemoteChannel {
  up = true;
  readonly received: string[] = [];
  private server?: Server;

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        if (!this.up) return void res.writeHead(503).end('Service Unavailable');
        this.received.push((JSON.parse(body) as { eventId: string }).eventId);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
