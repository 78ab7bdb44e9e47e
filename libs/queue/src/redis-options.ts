import { type Cluster, type Redis, type RedisOptions } from 'ioredis';

/**
 * How long a Redis connection with a command outstanding may go without a byte from the server before it is
 * taken for dead: closed, and opened again (its unanswered commands are sent again on the new one). A Redis whose
 * machine is lost (power, a hung VM, a failover moving its address) sends no FIN and no RST, and the kernel keeps
 * such a connection for hours: every process waited on it, the worker took no job and the api's form hung, long
 * after Redis was back. Above Bull's longest legitimate wait for an answer (its blocking fetch of the next job,
 * `drainDelay`, 5 s), with room for a loaded machine.
 */
export const REDIS_SOCKET_TIMEOUT_MS = 15_000;

/**
 * Bull's connection settings from REDIS_URL (host, port, db, user, password; TLS for `rediss:`, which Bull's own
 * reading of a URL left out), with REDIS_SOCKET_TIMEOUT_MS.
 */
export function bullRedisOptions(redisUrl: string): RedisOptions {
  const url = new URL(redisUrl);
  const db = url.pathname.replace(/^\//, '');
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port ? Number(url.port) : 6379,
    db: db ? Number(db) : 0,
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    ...(url.protocol === 'rediss:' ? { tls: {} } : {}),
    socketTimeout: REDIS_SOCKET_TIMEOUT_MS,
  };
}

/**
 * ioredis (5.x, redis/ioredis#2147) arms a timer of `socketTimeout` when a command goes out and clears it only when
 * the server's next bytes come in. A connection closed with a command unanswered — Bull's blocking fetch of the next
 * job always is one, a QUIT may be — keeps the timer, which held the process for up to REDIS_SOCKET_TIMEOUT_MS after
 * everything had closed (a test file's «Jest did not exit one second after the test run»); a connection that
 * reconnects meanwhile is destroyed by it. Cleared as the connection closes, as ioredis does once fixed upstream
 * (redis/ioredis#2148): for Bull's connections as the queues close (QueueShutdown), for one of our own from the start.
 */
export function clearSocketTimeoutOnClose(client: Redis | Cluster): void {
  const clear = () => {
    const timers = client as unknown as { socketTimeoutTimer?: NodeJS.Timeout };
    clearTimeout(timers.socketTimeoutTimer);
    timers.socketTimeoutTimer = undefined;
  };
  if (client.status === 'end') clear();
  else client.on('close', clear);
}
