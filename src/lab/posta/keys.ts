// keys.json: an identity's Ed25519 key pair, {name, publicKey, privateKey}, raw keys in base64.
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { PostaError } from './errors.ts';

export interface IdentityKeys {
  name?: string;
  publicKey: string;
  privateKey: string;
}

export function generateKeys(name: string): IdentityKeys {
  const { privateKey } = generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' });
  return { name, publicKey: fromBase64Url(jwk.x!), privateKey: fromBase64Url(jwk.d!) };
}

/** Reads and checks keys.json: valid JSON, both keys present, and the private key matches the public one. */
export function readKeys(path: string): IdentityKeys {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new PostaError(`cannot read keys ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new PostaError(`corrupt keys ${path}: not valid JSON (${(err as Error).message}; ${text.length} bytes)`);
  }
  const keys = doc as Partial<IdentityKeys>;
  if (typeof keys.publicKey !== 'string' || typeof keys.privateKey !== 'string') {
    throw new PostaError(`corrupt keys ${path}: publicKey and privateKey must be strings`);
  }
  if (keys.name !== undefined && typeof keys.name !== 'string') throw new PostaError(`corrupt keys ${path}: name must be a string`);
  if (derivePublicKey(keys.privateKey, path) !== keys.publicKey) {
    throw new PostaError(`corrupt keys ${path}: publicKey does not match privateKey`);
  }
  return { name: keys.name, publicKey: keys.publicKey, privateKey: keys.privateKey };
}

// DER header of a PKCS#8 Ed25519 private key; the 32 raw key bytes follow it.
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

function derivePublicKey(privateKey: string, path: string): string {
  const d = Buffer.from(privateKey, 'base64');
  if (d.length !== 32) throw new PostaError(`corrupt keys ${path}: privateKey is ${d.length} bytes, expected 32`);
  try {
    const key = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, d]), format: 'der', type: 'pkcs8' });
    return fromBase64Url(createPublicKey(key).export({ format: 'jwk' }).x!);
  } catch (err) {
    throw new PostaError(`corrupt keys ${path}: ${(err as Error).message}`);
  }
}

function fromBase64Url(s: string): string {
  return Buffer.from(s, 'base64url').toString('base64');
}
