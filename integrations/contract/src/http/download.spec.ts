import { ConnectorError, ConnectorErrorCode } from '../connector-error';
import { downloadFile } from './download';

/** What a citizen's message may name as a file: refused before any connection is made. */
describe('downloadFile: a payload-chosen URL', () => {
  const limits = { maxBytes: 1024, timeoutMs: 1000, allowedHosts: ['userapi.com'] };

  it.each([
    ['a local file', 'file:///etc/passwd'],
    ['another scheme', 'ftp://userapi.com/x.jpg'],
    ['a data URL', 'data:text/plain,hello'],
    ['the loopback address', 'http://127.0.0.1:6379/'],
    ['the metadata service', 'http://169.254.169.254/latest/meta-data/'],
    ['a look-alike host', 'https://userapi.com.evil.example/x.jpg'],
    ['credentials before a foreign host', 'https://userapi.com@127.0.0.1/x.jpg'],
    ['not a URL', '../../etc/passwd'],
  ])('refuses %s for good', async (_what, url) => {
    const refusal = await downloadFile(url, limits).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(ConnectorError);
    expect((refusal as ConnectorError).code).toBe(ConnectorErrorCode.InvalidPayload);
  });
});
