import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A CA and a server certificate it issued, as PEM. @public */
export interface GeneratedCertificates {
  /** PEM of the CA certificate (what clients must trust). */
  ca: string;
  /** PEM of the server certificate. */
  cert: string;
  /** PEM of the server's private key. */
  key: string;
  /** The directory holding `ca.pem` (and the rest); remove it when done. */
  dir: string;
  /** Path of `ca.pem` inside {@link GeneratedCertificates.dir}. */
  caPath: string;
}

/**
 * Generates, with the `openssl` command, an EC P-256 CA and a server
 * certificate for `127.0.0.1` and `localhost` (plus any extra `hosts`), valid
 * for two days. Files are written to a fresh temporary directory.
 *
 * @throws Error when openssl is missing or fails (its stderr is in the message).
 * @public
 */
export async function generateCertificates(hosts: string[] = []): Promise<GeneratedCertificates> {
  const dir = await mkdtemp(join(tmpdir(), 'kvs-sig-emulator-'));
  try {
    const names = new Set(['IP:127.0.0.1', 'DNS:localhost']);
    for (const h of hosts) {
      // Zone-scoped IPv6 addresses (fe80::1%eth0) cannot appear in a certificate.
      if (h === '' || h === '0.0.0.0' || h === '::' || h.includes('%')) continue;
      names.add(isIP(h) ? `IP:${h}` : `DNS:${h}`);
    }
    const ext = [
      `subjectAltName=${[...names].join(',')}`,
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage=serverAuth',
    ].join('\n');
    await writeFile(join(dir, 'server.ext'), `${ext}\n`);
    const p = (f: string) => join(dir, f);
    const ecKey = (out: string) => ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', p(out)];
    await openssl(ecKey('ca.key'));
    await openssl([
      'req', '-x509', '-new', '-key', p('ca.key'), '-sha256', '-days', '2',
      '-subj', '/CN=kvs-sig emulator test CA',
      '-addext', 'basicConstraints=critical,CA:TRUE',
      '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
      '-out', p('ca.pem'),
    ]);
    await openssl(ecKey('server.key'));
    await openssl(['req', '-new', '-key', p('server.key'), '-subj', '/CN=localhost', '-out', p('server.csr')]);
    await openssl([
      'x509', '-req', '-in', p('server.csr'), '-CA', p('ca.pem'), '-CAkey', p('ca.key'),
      '-CAcreateserial', '-days', '2', '-sha256', '-extfile', p('server.ext'), '-out', p('server.pem'),
    ]);
    // The CA key is not needed after issuing; do not leave it lying around.
    await rm(p('ca.key'), { force: true });
    const [ca, cert, key] = await Promise.all([
      readFile(p('ca.pem'), 'utf8'),
      readFile(p('server.pem'), 'utf8'),
      readFile(p('server.key'), 'utf8'),
    ]);
    return { ca, cert, key, dir, caPath: p('ca.pem') };
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

async function openssl(args: string[]): Promise<void> {
  try {
    await run('openssl', args, { timeout: 30_000 });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`openssl ${args[0]} failed: ${e.stderr?.trim() || e.message}`);
  }
}
