import { connect, type Socket } from 'node:net';

/**
 * Just enough IMAP4rev1 (RFC 3501) for the test helper to act as a delivery agent and an admin:
 * LOGIN, APPEND with a synchronising literal, CREATE, DELETE, STATUS, LOGOUT. The connector under test
 * uses imapflow; the helper speaks the wire itself so the two never share a client.
 */
export class ImapWireClient {
  private buffer = '';
  private waiters: (() => void)[] = [];
  private closed = false;
  private tag = 0;

  private constructor(private readonly socket: Socket) {
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => undefined);
  }

  static quote(value: string): string {
    return `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`;
  }

  static async login(host: string, port: number, user: string, password: string): Promise<ImapWireClient> {
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect({ host, port }, () => resolve(s));
      s.once('error', reject);
      s.setTimeout(10_000, () => s.destroy(new Error('IMAP socket timeout')));
    });
    const client = new ImapWireClient(socket);
    try {
      const greeting = await client.readLine();
      if (!greeting.startsWith('* OK')) throw new Error(`IMAP greeting: ${greeting}`);
      await client.command(`LOGIN ${ImapWireClient.quote(user)} ${ImapWireClient.quote(password)}`);
      return client;
    } catch (error) {
      client.destroy();
      throw error;
    }
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    waiters.forEach((w) => w());
  }

  private async readLine(): Promise<string> {
    for (;;) {
      const end = this.buffer.indexOf('\r\n');
      if (end !== -1) {
        const line = this.buffer.slice(0, end);
        this.buffer = this.buffer.slice(end + 2);
        return line;
      }
      if (this.closed) throw new Error('IMAP connection closed');
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /** Sends a command and reads to its tagged reply; returns the untagged lines; throws on NO/BAD. */
  async command(text: string, literal?: Buffer): Promise<string[]> {
    const tag = `T${++this.tag}`;
    const untagged: string[] = [];
    if (literal) {
      this.socket.write(`${tag} ${text} {${literal.length}}\r\n`, 'latin1');
      for (;;) {
        const line = await this.readLine();
        if (line.startsWith('+')) break;
        if (line.startsWith(`${tag} `)) throw new Error(`IMAP ${text.split(' ')[0]}: ${line}`);
        untagged.push(line);
      }
      this.socket.write(Buffer.concat([literal, Buffer.from('\r\n')]));
    } else {
      this.socket.write(`${tag} ${text}\r\n`, 'latin1');
    }
    for (;;) {
      const line = await this.readLine();
      if (line.startsWith(`${tag} `)) {
        if (!line.startsWith(`${tag} OK`)) throw new Error(`IMAP ${text.split(' ')[0]}: ${line}`);
        return untagged;
      }
      untagged.push(line);
    }
  }

  /** APPEND needs CRLF line ends (RFC 3501 2.2); a test may hand over bare LF. */
  async append(mailbox: string, raw: Buffer): Promise<void> {
    const crlf = Buffer.from(raw.toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1');
    await this.command(`APPEND ${ImapWireClient.quote(mailbox)}`, crlf);
  }

  async logout(): Promise<void> {
    try {
      await this.command('LOGOUT');
    } finally {
      this.destroy();
    }
  }

  destroy(): void {
    this.socket.destroy();
  }
}
