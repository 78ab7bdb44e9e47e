import { SecretBox } from './channel-secrets';

describe('SecretBox', () => {
  const box = new SecretBox('a-key-of-thirty-two-characters-at-least');

  it('reads back what it sealed, and the sealed text does not show the secret', () => {
    const sealed = box.seal({ groupToken: 'vk1.a.secret-token' });
    expect(sealed).not.toContain('secret-token');
    expect(box.open(sealed)).toEqual({ groupToken: 'vk1.a.secret-token' });
  });

  it('refuses another key and a changed byte', () => {
    const sealed = box.seal({ imapPassword: 'p@ss' });
    expect(() => new SecretBox('another-key-of-thirty-two-characters!').open(sealed)).toThrow();
    const parts = sealed.split(':');
    const body = Buffer.from(parts[3], 'base64');
    body[0] ^= 1;
    expect(() => box.open([...parts.slice(0, 3), body.toString('base64')].join(':'))).toThrow();
  });
});
