import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/**
 * A small real SMTP server (RFC 5321) on 127.0.0.1 that records what it is sent: EHLO/HELO, MAIL FROM,
 * RCPT TO, DATA with dot-unstuffing, RSET, NOOP, QUIT. No AUTH, no TLS: the connector is told to send
 * in clear to loopback. Scenarios switch at runtime and apply to the next connection or command.
 */
export type SmtpScenario =
  /** Everything is accepted with 250. */
  | 'ok'
  /** Every reply waits `delayMs` (default 2000) first. */
  | 'slow'
  /** The greeting is `421 4.3.2` and the connection closes (server shutting down, too busy). */
  | 'greeting-421'
  /** The message is received, then refused with `451 4.3.0` (a transient local problem). */
  | 'temp-451'
  /** RCPT is refused with `450 4.7.1` (rate limiting, greylisting). */
  | 'rate-limited'
  /** RCPT is refused with `550 5.1.1` (no such mailbox). */
  | 'reject-550'
  /** The message is received, then refused with `554 5.6.0` (permanent). */
  | 'server-error'
  /** The greeting is not SMTP at all. */
  | 'malformed'
  /** The connection closes right after the message is received, before the reply (a lost response). */
  | 'drop-after-data'
  /** The message is received, then the server dies without taking it: the connection closes, nothing kept. */
  | 'lost-in-data';

export interface ReceivedMail {
  helo: string;
  from: string;
  to: string[];
  /** The message exactly as received after dot-unstuffing, CRLF line ends. */
  raw: Buffer;
  /** The reply code the server gave it: only 250 means it was accepted. */
  accepted: boolean;
}

export interface SmtpReceiver {
  host: string;
  port: number;
  /** Every message that reached the end of DATA, accepted or not. */
  received: ReceivedMail[];
  /** Accepted messages only. */
  accepted(): ReceivedMail[];
  /** Every command line seen, in order, for assertions on the dialogue. */
  commands: string[];
  setScenario(scenario: SmtpScenario, options?: { delayMs?: number }): void;
  /**
   * Called with each message the server accepts before it answers (or cuts the connection): a provider that files
   * every letter its SMTP accepts into the sender's Sent folder (Yandex, Mail.ru, Gmail) is this plus an IMAP APPEND.
   */
  onAccepted?: (mail: ReceivedMail) => Promise<void>;
  reset(): void;
  stop(): Promise<void>;
}

const HOST = 'mx.test.local';

export async function startSmtpReceiver(): Promise<SmtpReceiver> {
  let scenario: SmtpScenario = 'ok';
  let delayMs = 2000;
  const received: ReceivedMail[] = [];
  const commands: string[] = [];
  const sockets = new Set<Socket>();

  const handle = (socket: Socket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    const current = scenario;
    const pause = current === 'slow' ? delayMs : 0;

    let buffer = Buffer.alloc(0);
    let helo = '';
    let from: string | undefined;
    let to: string[] = [];
    let inData = false;
    let dataLines: Buffer[] = [];
    // Replies go out in order even when delayed.
    let queue = Promise.resolve();

    const reply = (text: string, close = false): void => {
      queue = queue.then(async () => {
        if (pause) await new Promise((r) => setTimeout(r, pause));
        if (socket.destroyed) return;
        socket.write(text.endsWith('\r\n') ? text : `${text}\r\n`);
        if (close) socket.end();
      });
    };

    if (current === 'malformed') {
      socket.end('HELLO THIS IS NOT SMTP\r\n');
      return;
    }
    if (current === 'greeting-421') {
      socket.end('421 4.3.2 mx.test.local Service not available, closing transmission channel\r\n');
      return;
    }
    reply(`220 ${HOST} ESMTP test receiver`);

    const endOfData = (): void => {
      const raw = Buffer.concat(dataLines.flatMap((l) => [l, Buffer.from('\r\n')]));
      const mail: ReceivedMail = { helo, from: from ?? '', to, raw, accepted: false };
      dataLines = [];
      inData = false;
      from = undefined;
      to = [];
      if (current === 'lost-in-data') {
        received.push(mail);
        socket.destroy();
        return;
      }
      if (current === 'drop-after-data') {
        mail.accepted = true;
        received.push(mail);
        queue = queue.then(() => receiver.onAccepted?.(mail)).then(() => void socket.destroy());
        return;
      }
      if (current === 'temp-451') {
        received.push(mail);
        reply('451 4.3.0 Temporary local problem, please try again later');
        return;
      }
      if (current === 'server-error') {
        received.push(mail);
        reply('554 5.6.0 Message content rejected');
        return;
      }
      mail.accepted = true;
      received.push(mail);
      queue = queue.then(() => receiver.onAccepted?.(mail));
      reply(`250 2.0.0 Ok: queued as Q${received.length}`);
    };

    const onLine = (line: Buffer): void => {
      if (inData) {
        if (line.length === 1 && line[0] === 0x2e) return endOfData();
        // RFC 5321 4.5.2: a leading dot was doubled by the client.
        dataLines.push(line[0] === 0x2e ? line.subarray(1) : line);
        return;
      }
      const text = line.toString('latin1');
      commands.push(text);
      const verb = text.split(' ')[0].toUpperCase();
      const arg = text.slice(verb.length).trim();
      switch (verb) {
        case 'EHLO':
          helo = arg;
          reply(
            [
              `250-${HOST} greets ${arg}`,
              '250-8BITMIME',
              '250-SMTPUTF8',
              '250-SIZE 52428800',
              '250 ENHANCEDSTATUSCODES',
            ].join('\r\n'),
          );
          return;
        case 'HELO':
          helo = arg;
          reply(`250 ${HOST}`);
          return;
        case 'MAIL': {
          const m = /^FROM:\s*<([^>]*)>/i.exec(arg);
          if (!m) return reply('501 5.5.4 Syntax: MAIL FROM:<address>');
          if (!helo) return reply('503 5.5.1 Error: send HELO/EHLO first');
          from = m[1];
          to = [];
          return reply('250 2.1.0 Ok');
        }
        case 'RCPT': {
          const m = /^TO:\s*<([^>]*)>/i.exec(arg);
          if (!m) return reply('501 5.5.4 Syntax: RCPT TO:<address>');
          if (from === undefined) return reply('503 5.5.1 Error: need MAIL command');
          if (current === 'rate-limited') return reply('450 4.7.1 Too many messages, slow down');
          if (current === 'reject-550')
            return reply(`550 5.1.1 <${m[1]}>: Recipient address rejected: User unknown`);
          to.push(m[1]);
          return reply('250 2.1.5 Ok');
        }
        case 'DATA':
          if (!to.length) return reply('503 5.5.1 Error: need RCPT command');
          inData = true;
          dataLines = [];
          return reply('354 End data with <CR><LF>.<CR><LF>');
        case 'RSET':
          from = undefined;
          to = [];
          return reply('250 2.0.0 Ok');
        case 'NOOP':
          return reply('250 2.0.0 Ok');
        case 'QUIT':
          return reply('221 2.0.0 Bye', true);
        default:
          return reply('502 5.5.2 Error: command not recognized');
      }
    };

    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      let end: number;
      while ((end = buffer.indexOf('\n')) !== -1) {
        const line = buffer.subarray(0, end > 0 && buffer[end - 1] === 0x0d ? end - 1 : end);
        buffer = buffer.subarray(end + 1);
        onLine(line);
      }
    });
  };

  const server: Server = createServer(handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  const receiver: SmtpReceiver = {
    host: '127.0.0.1',
    port,
    received,
    commands,
    accepted: () => received.filter((m) => m.accepted),
    setScenario(next, options = {}) {
      scenario = next;
      if (options.delayMs !== undefined) delayMs = options.delayMs;
    },
    reset() {
      receiver.onAccepted = undefined;
      scenario = 'ok';
      delayMs = 2000;
      received.length = 0;
      commands.length = 0;
    },
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return receiver;
}
