import { bullRedisOptions, REDIS_SOCKET_TIMEOUT_MS } from './redis-options';

describe('bullRedisOptions', () => {
  it('reads REDIS_URL as Bull did, and gives up on a connection that stops answering', () => {
    expect(bullRedisOptions('redis://127.0.0.1:6379/8')).toEqual({
      host: '127.0.0.1',
      port: 6379,
      db: 8,
      socketTimeout: REDIS_SOCKET_TIMEOUT_MS,
    });
    expect(bullRedisOptions('rediss://app:p%40ss@redis.region.test')).toEqual({
      host: 'redis.region.test',
      port: 6379,
      db: 0,
      username: 'app',
      password: 'p@ss',
      tls: {},
      socketTimeout: REDIS_SOCKET_TIMEOUT_MS,
    });
    expect(bullRedisOptions('redis://:secret@[::1]:6380').host).toBe('::1');
  });
});
