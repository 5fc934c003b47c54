import { X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, networkInterfaces } from 'node:os';
import { join } from 'node:path';

/** The backend's TLS key pair and the fingerprint workers pin. */
export interface TlsIdentity {
  key: string;
  cert: string;
  /** SHA-256 of the certificate, `AB:CD:…` (what KTRDR_BACKEND_FINGERPRINT takes). */
  fingerprint: string;
  /** The files, when they live in the data dir. */
  certPath: string;
}

function localNames(): { dns: string[]; ips: string[] } {
  const ips = ['127.0.0.1', '::1'];
  for (const list of Object.values(networkInterfaces()))
    for (const entry of list ?? []) if (!entry.internal) ips.push(entry.address);
  return { dns: ['localhost', hostname()], ips: [...new Set(ips)] };
}

/**
 * The self-signed certificate of the TLS mode: made once (10 years, RSA 2048, this
 * machine's names and addresses as alternative names, for browsers) into `<dir>/cert.pem`
 * and `<dir>/key.pem` (0600), and kept, so the fingerprint the join command pins stays the
 * same across restarts. Delete the folder to make a new one (every worker must then be
 * given the new fingerprint).
 */
export async function loadOrCreateTlsIdentity(dir: string): Promise<TlsIdentity> {
  const certPath = join(dir, 'cert.pem');
  const keyPath = join(dir, 'key.pem');
  if (!existsSync(certPath) || !existsSync(keyPath)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const names = localNames();
    // loaded only to make a certificate, once per data dir: a backend never pays for it again
    const { default: selfsigned } = await import('selfsigned');
    const made = await selfsigned.generate([{ name: 'commonName', value: 'ktrdr backend' }], {
      notAfterDate: new Date(Date.now() + 3650 * 86_400_000),
      keySize: 2048,
      algorithm: 'sha256',
      extensions: [
        {
          name: 'subjectAltName',
          altNames: [
            ...names.dns.map((value) => ({ type: 2 as const, value })),
            ...names.ips.map((ip) => ({ type: 7 as const, ip })),
          ],
        },
      ],
    });
    writeFileSync(keyPath, made.private, { mode: 0o600 });
    chmodSync(keyPath, 0o600);
    writeFileSync(certPath, made.cert);
  }
  return fromFiles(certPath, keyPath);
}

/** A certificate and key the user provides (KTRDR_TLS_CERT, KTRDR_TLS_KEY). */
export function fromFiles(certPath: string, keyPath: string): TlsIdentity {
  const cert = readFileSync(certPath, 'utf8');
  const key = readFileSync(keyPath, 'utf8');
  return { cert, key, certPath, fingerprint: new X509Certificate(cert).fingerprint256 };
}
