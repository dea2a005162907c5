import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { PersonalData, SealedPersonalData } from './participant-events';
import { PERSONAL_DATA_SCHEMA } from './event-schemas';

/**
 * Crypto-shredding of personal data (DESIGN.md "Events"): AES-256-GCM under a per-participant
 * 32-byte key kept in `keystore.participant_keys`. The sealed form goes into the event; once the
 * key is destroyed, no replay can read it again. `keyId` is the participant id.
 */
export const sealPersonalData = (data: PersonalData, key: Buffer, keyId: string, iv: Buffer = randomBytes(12)): SealedPersonalData => {
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(keyId));
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify(data), 'utf8'), cipher.final()]);
  return {
    alg: 'A256GCM',
    keyId,
    iv: iv.toString('base64'),
    ciphertext: ciphertext.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
  };
};

/** Undefined when the key does not open the seal or the plaintext is not personal data. */
export const unsealPersonalData = (sealed: SealedPersonalData, key: Buffer): PersonalData | undefined => {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64'));
    decipher.setAAD(Buffer.from(sealed.keyId));
    decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
    const plaintext = Buffer.concat([decipher.update(Buffer.from(sealed.ciphertext, 'base64')), decipher.final()]).toString('utf8');
    const data: unknown = JSON.parse(plaintext);
    return PERSONAL_DATA_SCHEMA(data, '').length === 0 ? (data as PersonalData) : undefined;
  } catch {
    return undefined;
  }
};
