import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import type { Logger } from 'pino';
import { ConflictError, LimitExceededError, NotFoundError, UnavailableError } from '../../shared/index.js';
import { newKeyId } from '../ids.js';
import { hmacKey } from './hmac-key.js';
import type { RealtimeIo } from '../socket-types.js';
import type { DocumentStore } from '../sync/document-store.js';

/** Algorithms of the keys the platform manages: a shared secret, or a key pair published as JWKS. */
export const MANAGED_ALGORITHMS = ['HS256', 'ES256', 'EdDSA'] as const;
export type ManagedAlgorithm = (typeof MANAGED_ALGORITHMS)[number];

/** Where the keys live: a platform realm and a service no token reaches (see PLATFORM_DOCUMENTS). */
const REALM = '_platform';
const SERVICE = '_signing_keys';

/** What the API shows of a key (never its private part). */
export interface SigningKeyView {
  kid: string;
  alg: ManagedAlgorithm;
  /** An active key verifies tokens; the primary one also signs new ones (`POST /auth/token`). */
  active: boolean;
  primary: boolean;
  createdAt: number;
  deactivatedAt?: number;
  /** The public key, for an asymmetric key. */
  publicJwk?: JWK;
}

/** A key as stored: its private part encrypted (AES-256-GCM) with a key derived from the server's secret. */
interface StoredKey {
  kid: string;
  alg: ManagedAlgorithm;
  active: boolean;
  primary: boolean;
  deactivatedAt?: number;
  publicJwk?: JWK;
  /** The HS256 secret or the private JWK, encrypted: `iv.tag.ciphertext`, base64url. */
  sealed: string;
}

/** A key ready to use. */
interface LoadedKey {
  view: SigningKeyView;
  /** What jose signs with (the secret as an HMAC key, or the private key). */
  key: CryptoKey;
  /** What jose verifies with (the same HMAC key, or the public key), imported once per load. */
  verificationKey: CryptoKey;
}

/** What the key manager is built from. */
export interface SigningKeysOptions {
  documents: DocumentStore;
  io: RealtimeIo;
  logger: Logger;
  clustered: boolean;
  /**
   * The secret the private parts are encrypted with (`SIGNING_KEYS_SECRET`, else `JWT_SECRET`);
   * without one, managed keys are unavailable (`UNAVAILABLE`).
   */
  encryptionSecret?: string;
  /** How long a node trusts its copy of the keys without hearing of a change, ms. @default 30000 */
  cacheTtlMs?: number;
}

/** Most signing keys kept (active or not): each is read and opened by every node. */
export const MAX_SIGNING_KEYS = 100;

/** How often an unknown `kid` may make a node re-read the keys (a key created on another node). */
const UNKNOWN_KID_RELOAD_MS = 1000;

/**
 * Signing keys created, listed, deactivated and rotated through the API and kept in the document
 * store (memory or MongoDB), beside the keys the configuration names.
 *
 * Why this exists: a platform that mints tokens must be able to replace its key without a
 * restart and without logging everybody out: rotating makes a new primary key that signs from
 * then on, while the old one keeps verifying the tokens it signed until an operator deactivates
 * it. Asymmetric keys (ES256, EdDSA) publish their public half at `/.well-known/jwks.json`, so
 * other services verify tokens without a shared secret. Private parts are stored encrypted with
 * a key derived from the server's secret, and never leave the API.
 *
 * @example
 * const keys = new SigningKeys({ documents, io, logger, clustered: false, encryptionSecret });
 * const { kid } = await keys.create('ES256');
 * await keys.rotate('ES256'); // a new primary; kid still verifies until deactivated
 */
export class SigningKeys {
  private loaded: Promise<Map<string, LoadedKey>> | undefined;
  private loadedAt = 0;
  private lastUnknownReload = 0;
  private readonly sealingKey: Buffer | undefined;

  constructor(private readonly options: SigningKeysOptions) {
    const secret = options.encryptionSecret;
    this.sealingKey = secret === undefined || secret === '' ? undefined : Buffer.from(hkdfSync('sha256', secret, 'realtime-platform', 'signing-keys', 32));
    if (options.clustered) options.io.on('keys:changed', () => this.forget());
  }

  /** Creates an active key; the first one becomes primary. Answers an HS256 key's secret once. */
  async create(alg: ManagedAlgorithm, kid?: string): Promise<SigningKeyView & { secret?: string }> {
    const sealingKey = this.requireSealing();
    const id = kid ?? newKeyId();
    const material = await generate(alg);
    const keys = await this.keys();
    if (keys.size >= MAX_SIGNING_KEYS) {
      throw new LimitExceededError(`There are ${MAX_SIGNING_KEYS} signing keys, the most the platform keeps`, { details: { limit: MAX_SIGNING_KEYS } });
    }
    const primary = ![...keys.values()].some((key) => key.view.primary && key.view.active);
    const stored: StoredKey = {
      kid: id,
      alg,
      active: true,
      primary,
      ...(material.publicJwk === undefined ? {} : { publicJwk: material.publicJwk }),
      sealed: seal(sealingKey, material.secret),
    };
    try {
      await this.options.documents.create(REALM, SERVICE, { id, data: { ...stored } });
    } catch (err) {
      if ((err as { code?: string }).code === 'ALREADY_EXISTS') throw new ConflictError(`A key with kid "${id}" exists`, { details: { kid: id } });
      throw err;
    }
    this.changed();
    const view = (await this.keys()).get(id)?.view;
    if (view === undefined) throw new UnavailableError('The new key could not be read back');
    return alg === 'HS256' ? { ...view, secret: material.secret } : view;
  }

  async list(): Promise<SigningKeyView[]> {
    return [...(await this.keys()).values()].map((key) => key.view).sort((a, b) => a.createdAt - b.createdAt);
  }

  /**
   * A new primary key; the previous primary stays active (it verifies what it signed) until
   * deactivated.
   */
  async rotate(alg: ManagedAlgorithm, kid?: string): Promise<SigningKeyView & { secret?: string }> {
    const previous = [...(await this.keys()).values()].find((key) => key.view.primary);
    const created = await this.create(alg, kid);
    if (previous !== undefined) {
      // The new key first: a token issued meanwhile is signed by one of them, never by neither.
      await this.patch(created.kid, { primary: true });
      await this.patch(previous.view.kid, { primary: false });
    }
    return { ...created, primary: true };
  }

  /**
   * Activates or deactivates a key. A deactivated key verifies nothing from then on. The primary
   * key cannot be deactivated while it is the only active one (nothing could sign); otherwise the
   * newest other active key becomes primary.
   */
  async setActive(kid: string, active: boolean): Promise<SigningKeyView> {
    const keys = await this.keys();
    const key = keys.get(kid);
    if (key === undefined) throw new NotFoundError(`No signing key "${kid}"`, { details: { kid } });
    if (!active && key.view.primary) {
      const successor = [...keys.values()]
        .filter((other) => other.view.active && other.view.kid !== kid)
        .sort((a, b) => b.view.createdAt - a.view.createdAt)[0];
      if (successor === undefined) throw new ConflictError(`Key "${kid}" is the only active key; create or rotate to another first`, { details: { kid } });
      await this.patch(successor.view.kid, { primary: true });
    }
    await this.patch(kid, active ? { active: true } : { active: false, primary: false, deactivatedAt: Date.now() });
    const view = (await this.keys()).get(kid)?.view;
    if (view === undefined) throw new NotFoundError(`No signing key "${kid}"`, { details: { kid } });
    return view;
  }

  /** The key that signs new tokens, if any. */
  async primary(): Promise<{ kid: string; alg: ManagedAlgorithm; key: CryptoKey } | undefined> {
    // The newest primary: during a rotation both keys are briefly primary.
    const key = [...(await this.keys()).values()]
      .filter((candidate) => candidate.view.primary && candidate.view.active)
      .sort((a, b) => b.view.createdAt - a.view.createdAt)[0];
    return key === undefined ? undefined : { kid: key.view.kid, alg: key.view.alg, key: key.key };
  }

  /**
   * The verification key of an active key with this `kid` and algorithm; `undefined` when there
   * is none (an unknown kid makes the node re-read the keys, at most once a second).
   */
  async verificationKey(kid: string, alg: string): Promise<CryptoKey | undefined> {
    let key = (await this.keys()).get(kid);
    if (key === undefined && Date.now() - this.lastUnknownReload > UNKNOWN_KID_RELOAD_MS) {
      this.lastUnknownReload = Date.now();
      this.forget();
      key = (await this.keys()).get(kid);
    }
    if (key === undefined || !key.view.active || key.view.alg !== alg) return undefined;
    return key.verificationKey;
  }

  /** The public keys of the active asymmetric keys, as a JWK Set. */
  async jwks(): Promise<{ keys: JWK[] }> {
    const keys = [...(await this.keys()).values()].filter((key) => key.view.active && key.view.publicJwk !== undefined);
    return { keys: keys.map((key) => ({ ...key.view.publicJwk, kid: key.view.kid, alg: key.view.alg, use: 'sig' })) };
  }

  private async patch(kid: string, change: Partial<StoredKey>): Promise<void> {
    await this.options.documents.write(REALM, SERVICE, kid, (doc) => ({ data: { ...doc.data, ...change } }));
    this.changed();
  }

  private keys(): Promise<Map<string, LoadedKey>> {
    if (this.loaded === undefined || Date.now() - this.loadedAt > (this.options.cacheTtlMs ?? 30_000)) {
      this.loadedAt = Date.now();
      const loading = this.load();
      loading.catch(() => {
        if (this.loaded === loading) this.loaded = undefined;
      });
      this.loaded = loading;
    }
    return this.loaded;
  }

  private async load(): Promise<Map<string, LoadedKey>> {
    const keys = new Map<string, LoadedKey>();
    let after: string | undefined;
    do {
      const page = await this.options.documents.list(REALM, SERVICE, { limit: 100, ...(after === undefined ? {} : { after }) });
      for (const doc of page.items) {
        const stored = doc.data as unknown as StoredKey;
        if (this.sealingKey === undefined) continue;
        try {
          const secret = unseal(this.sealingKey, stored.sealed);
          const key =
            stored.alg === 'HS256'
              ? await hmacKey(new TextEncoder().encode(secret), ['sign', 'verify'])
              : ((await importJWK(JSON.parse(secret) as JWK, stored.alg)) as CryptoKey);
          const verificationKey = stored.alg === 'HS256' ? key : ((await importJWK(stored.publicJwk as JWK, stored.alg)) as CryptoKey);
          keys.set(stored.kid, { view: viewOf(stored, doc.createdAt), key, verificationKey });
        } catch (err) {
          // A key sealed with another secret: it cannot be used, and is said so once per load.
          this.options.logger.error({ kid: stored.kid, err: (err as Error).message }, "a signing key cannot be opened with this server's secret");
        }
      }
      after = page.nextCursor;
    } while (after !== undefined);
    return keys;
  }

  private changed(): void {
    this.forget();
    if (this.options.clustered) this.options.io.serverSideEmit('keys:changed');
  }

  private forget(): void {
    this.loaded = undefined;
  }

  private requireSealing(): Buffer {
    if (this.sealingKey === undefined) throw new UnavailableError('Managed signing keys need SIGNING_KEYS_SECRET (or JWT_SECRET) to encrypt them with');
    return this.sealingKey;
  }
}

function viewOf(stored: StoredKey, createdAt: number): SigningKeyView {
  return {
    kid: stored.kid,
    alg: stored.alg,
    active: stored.active,
    primary: stored.primary,
    createdAt,
    ...(stored.deactivatedAt === undefined ? {} : { deactivatedAt: stored.deactivatedAt }),
    ...(stored.publicJwk === undefined ? {} : { publicJwk: stored.publicJwk }),
  };
}

async function generate(alg: ManagedAlgorithm): Promise<{ secret: string; publicJwk?: JWK }> {
  if (alg === 'HS256') return { secret: randomBytes(32).toString('base64url') };
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true, ...(alg === 'EdDSA' ? { crv: 'Ed25519' } : {}) });
  return { secret: JSON.stringify(await exportJWK(privateKey)), publicJwk: await exportJWK(publicKey) };
}

function seal(key: Buffer, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [iv, cipher.getAuthTag(), ciphertext].map((part) => part.toString('base64url')).join('.');
}

function unseal(key: Buffer, sealed: string): string {
  const [iv, tag, ciphertext] = sealed.split('.').map((part) => Buffer.from(part, 'base64url'));
  if (iv === undefined || tag === undefined || ciphertext === undefined) throw new Error('malformed sealed key');
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
}
