import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Channel, type ChannelAccountRef } from '@inbox/integrations/contract';
import { type PackageFileSpec } from './packages';

export const OUR_UID = '0d5e3c1a-7b2f-4e8a-9c61-3f0b2a4d5e6f';
export const OUR_ORGANISATION = 'Правительство Новосибирской области';

/**
 * - normal: packages appear whole (written aside, then renamed in), as a gateway should do it;
 * - slow: the gateway is still writing: the package folder appears at once and fills file by file,
 *   passport last, with fresh modification times (the connector must wait, not quarantine);
 * - server-error: the exchange share is gone (unmounted): the inbound and outbound folders vanish;
 * - malformed: every package delivered has its passport cut in half.
 * A file-drop exchange has no rate limit, so there is no `rate-limited` scenario.
 */
export type MedoGatewayScenario = 'normal' | 'slow' | 'server-error' | 'malformed';

export interface OutboundPackage {
  name: string;
  files: Map<string, Buffer>;
  passport: string;
}

/**
 * The МЭДО gateway's side of the exchange folders: it drops inbound packages and collects what the
 * connector puts in the outbound folder. One temporary root per instance.
 */
export class FakeMedoGateway {
  private scenarioName: MedoGatewayScenario = 'normal';

  readonly inboundDir: string;
  readonly outboundDir: string;
  readonly quarantineDir: string;
  readonly processedDir: string;

  private constructor(readonly root: string) {
    this.inboundDir = join(root, 'in');
    this.outboundDir = join(root, 'out');
    this.quarantineDir = join(root, 'quarantine');
    this.processedDir = join(root, 'processed');
  }

  static async create(): Promise<FakeMedoGateway> {
    const gateway = new FakeMedoGateway(await fs.mkdtemp(join(tmpdir(), 'medo-gateway-')));
    await fs.mkdir(gateway.inboundDir);
    await fs.mkdir(gateway.outboundDir);
    return gateway;
  }

  account(settings: Record<string, unknown> = {}, id = 'medo-account-1'): ChannelAccountRef {
    return {
      id,
      channel: Channel.Medo,
      settings: {
        inboundDir: this.inboundDir,
        outboundDir: this.outboundDir,
        quarantineDir: this.quarantineDir,
        processedDir: this.processedDir,
        ourParticipantUid: OUR_UID,
        ourOrganisationName: OUR_ORGANISATION,
        settleMs: 0,
        ...settings,
      },
      secrets: {},
    };
  }

  get scenario(): MedoGatewayScenario {
    return this.scenarioName;
  }

  async setScenario(next: MedoGatewayScenario): Promise<void> {
    const offline = this.scenarioName === 'server-error';
    this.scenarioName = next;
    if (next === 'server-error' && !offline) {
      await fs.rename(this.inboundDir, `${this.inboundDir}.unmounted`);
      await fs.rename(this.outboundDir, `${this.outboundDir}.unmounted`);
    } else if (next !== 'server-error' && offline) {
      await fs.rename(`${this.inboundDir}.unmounted`, this.inboundDir);
      await fs.rename(`${this.outboundDir}.unmounted`, this.outboundDir);
    }
  }

  /**
   * Drops a package folder. In the `slow` scenario the folder is left half-written and the returned
   * function completes it.
   */
  async deliverFolder(name: string, files: PackageFileSpec[]): Promise<() => Promise<void>> {
    const ready = this.damage(files);
    if (this.scenarioName === 'slow') {
      const dir = join(this.inboundDir, name);
      await fs.mkdir(dir);
      const passportLast = [...ready].sort(
        (a, b) => Number(/\.xml$/i.test(a.name)) - Number(/\.xml$/i.test(b.name)),
      );
      const [last, ...first] = passportLast.reverse();
      for (const file of first) await fs.writeFile(join(dir, file.name), file.data);
      return async () => {
        await fs.writeFile(join(dir, last.name), last.data);
      };
    }
    const staging = join(this.root, `staging-${name}`);
    await fs.mkdir(staging);
    for (const file of ready) {
      await fs.mkdir(join(staging, file.name, '..'), { recursive: true });
      await fs.writeFile(join(staging, file.name), file.data);
    }
    await fs.rename(staging, join(this.inboundDir, name));
    return async () => undefined;
  }

  /** Drops a package ZIP (`name` without the extension). */
  async deliverZip(name: string, zip: Buffer): Promise<void> {
    const staging = join(this.root, `staging-${name}.zip`);
    await fs.writeFile(staging, zip);
    await fs.rename(staging, join(this.inboundDir, `${name}.zip`));
  }

  /** Any file in the inbound folder, as a confused sender or admin might leave it. */
  async dropFile(name: string, data: Buffer): Promise<void> {
    await fs.writeFile(join(this.inboundDir, name), data);
  }

  /** Pushes every inbound package's modification time into the past (so it has "settled"). */
  async age(seconds: number): Promise<void> {
    const past = new Date(Date.now() - seconds * 1000);
    for (const name of await fs.readdir(this.inboundDir)) {
      const path = join(this.inboundDir, name);
      const stat = await fs.stat(path);
      if (stat.isDirectory()) {
        for (const inner of await fs.readdir(path)) await fs.utimes(join(path, inner), past, past);
      }
      await fs.utimes(path, past, past);
    }
  }

  async inbound(): Promise<string[]> {
    return (await fs.readdir(this.inboundDir)).sort();
  }

  async processed(): Promise<string[]> {
    return (await fs.readdir(this.processedDir).catch(() => [] as string[])).sort();
  }

  /** Quarantined packages with the text of their reason files. */
  async quarantined(): Promise<{ name: string; reason: string }[]> {
    const names = await fs.readdir(this.quarantineDir).catch(() => [] as string[]);
    const packages = names.filter((name) => !name.endsWith('.reason.txt')).sort();
    return Promise.all(
      packages.map(async (name) => ({
        name,
        reason: await fs.readFile(join(this.quarantineDir, `${name}.reason.txt`), 'utf8').catch(() => ''),
      })),
    );
  }

  /** Everything the connector left for the gateway to send, as the gateway would see it. */
  async outbound(): Promise<OutboundPackage[]> {
    // A package the connector is still writing (its hidden temporary folder) is not there yet for a gateway.
    const names = (await fs.readdir(this.outboundDir)).filter((name) => !name.startsWith('.')).sort();
    const out: OutboundPackage[] = [];
    for (const name of names) {
      const dir = join(this.outboundDir, name);
      const files = new Map<string, Buffer>();
      if ((await fs.stat(dir)).isDirectory()) {
        for (const file of await fs.readdir(dir)) files.set(file, await fs.readFile(join(dir, file)));
      }
      out.push({ name, files, passport: files.get('passport.xml')?.toString('utf8') ?? '' });
    }
    return out;
  }

  async close(): Promise<void> {
    await fs.rm(this.root, { recursive: true, force: true });
  }

  private damage(files: PackageFileSpec[]): PackageFileSpec[] {
    if (this.scenarioName !== 'malformed') return files;
    return files.map((file) =>
      /\.xml$/i.test(file.name)
        ? { ...file, data: file.data.subarray(0, Math.floor(file.data.length / 2)) }
        : file,
    );
  }
}
