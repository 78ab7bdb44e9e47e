import net from 'node:net';
import { ensurePostgres, ensureRedis, freePort } from './local-services';

/** A port nobody listens on: bind one, then let it go. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Just enough of Redis for a client's connect and PING: answers each command in the order it came. */
async function fakeRedis(): Promise<{ port: number; commands: string[]; close(): Promise<void> }> {
  const commands: string[] = [];
  const info = '# Server\r\nloading:0\r\n';
  const server = net.createServer((socket) => {
    let buffer = '';
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      // Each command arrives as *<n>\r\n$<len>\r\n<name>\r\n...; a chunk holds whole commands here.
      for (const match of buffer.matchAll(/\*\d+\r\n\$\d+\r\n([A-Za-z]+)\r\n/g)) {
        const name = match[1].toUpperCase();
        commands.push(name);
        if (name === 'PING') socket.write('+PONG\r\n');
        else if (name === 'INFO') socket.write(`$${info.length}\r\n${info}\r\n`);
        else socket.write('+OK\r\n');
      }
      buffer = '';
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return { port, commands, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('freePort', () => {
  it('takes the preferred port when it is free, another one when it is taken', async () => {
    const port = await closedPort();
    expect(await freePort(port)).toBe(port);

    const busy = net.createServer();
    await new Promise<void>((resolve) => busy.listen(port, '127.0.0.1', resolve));
    try {
      const other = await freePort(port);
      expect(other).not.toBe(port);
      expect(other).toBeGreaterThan(0);
    } finally {
      await new Promise<void>((resolve) => busy.close(() => resolve()));
    }
  });
});

describe('ensurePostgres with DATABASE_URL', () => {
  it('fails clearly, without the password, when nothing answers', async () => {
    const url = `postgres://inbox:s3cret@127.0.0.1:${await closedPort()}/inbox`;
    const lines: string[] = [];
    const failure = ensurePostgres({
      env: { DATABASE_URL: url },
      localDir: '/nonexistent',
      log: (l) => lines.push(l),
    });
    await expect(failure).rejects.toThrow(
      /DATABASE_URL is set to postgres:\/\/inbox:\*\*\*@.*does not answer/,
    );
    await expect(failure).rejects.not.toThrow(/s3cret/);
    expect(lines.join('\n')).not.toContain('s3cret');
  });
});

describe('ensureRedis', () => {
  it('uses REDIS_URL after a PING, and logs it without the password', async () => {
    const redis = await fakeRedis();
    try {
      const url = `redis://:s3cret@127.0.0.1:${redis.port}`;
      const lines: string[] = [];
      const service = await ensureRedis({
        env: { REDIS_URL: url },
        dataDir: '/nonexistent',
        allowInstall: false,
        log: (l) => lines.push(l),
      });
      expect(service.url).toBe(url);
      expect(redis.commands).toContain('PING');
      expect(`${lines.join('\n')}\n${service.description}`).not.toContain('s3cret');
      await service.stop();
    } finally {
      await redis.close();
    }
  });

  it('fails clearly, without the password, when REDIS_URL does not answer', async () => {
    const url = `redis://:s3cret@127.0.0.1:${await closedPort()}`;
    const failure = ensureRedis({
      env: { REDIS_URL: url },
      dataDir: '/nonexistent',
      allowInstall: false,
      log: () => {},
    });
    await expect(failure).rejects.toThrow(/REDIS_URL is set to redis:\/\/:\*\*\*@.*ECONNREFUSED/);
    await expect(failure).rejects.not.toThrow(/s3cret/);
  });

  it('says what to install when redis-server is missing and installing is not allowed', async () => {
    const failure = ensureRedis({
      env: { PATH: '/nonexistent' },
      dataDir: '/nonexistent',
      allowInstall: false,
      log: () => {},
    });
    await expect(failure).rejects.toThrow(/apt-get install redis-server.*REDIS_URL/);
  });
});
