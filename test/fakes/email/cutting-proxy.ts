import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP relay in front of an IMAP server that cuts every connection (no BYE, no answer) as soon as the client
 * sends a command matching `cutOn`: the network failing in the middle of a command.
 */
export interface CuttingProxy {
  host: string;
  port: number;
  /** Connections cut so far. */
  cuts: number;
  stop(): Promise<void>;
}

export async function startCuttingProxy(
  target: { host: string; port: number },
  cutOn: RegExp,
): Promise<CuttingProxy> {
  const sockets = new Set<Socket>();
  const proxy: CuttingProxy = { host: '127.0.0.1', port: 0, cuts: 0, stop: async () => undefined };
  const server: Server = createServer((client) => {
    const upstream = connect(target.port, target.host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => {
        sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    client.on('data', (chunk: Buffer) => {
      if (cutOn.test(chunk.toString('latin1'))) {
        proxy.cuts++;
        client.destroy();
        upstream.destroy();
        return;
      }
      upstream.write(chunk);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.port = (server.address() as AddressInfo).port;
  proxy.stop = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  return proxy;
}
