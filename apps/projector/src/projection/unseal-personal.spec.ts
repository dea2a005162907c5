import { randomBytes } from 'node:crypto';
import { sealPersonalData } from '@app/events';
import { unsealPersonal } from './unseal-personal';

describe('unsealPersonal', () => {
  const key = randomBytes(32);
  const id = '9f8e7d6c-5b4a-4f3e-8d2c-1b0a9f8e7d6c';

  it('opens data sealed for the participant under their key', () => {
    const sealed = sealPersonalData({ firstName: 'Élise', ageRange: '25-34' }, key, id);
    expect(unsealPersonal(id, sealed, key)).toEqual({ firstName: 'Élise', ageRange: '25-34' });
  });

  it('returns null under another key', () => {
    expect(unsealPersonal(id, sealPersonalData({ firstName: 'A' }, key, id), randomBytes(32))).toBeNull();
  });

  it('returns null when the ciphertext was tampered with', () => {
    const sealed = sealPersonalData({ firstName: 'A' }, key, id);
    const bytes = Buffer.from(sealed.ciphertext, 'base64');
    bytes[0] ^= 1;
    expect(unsealPersonal(id, { ...sealed, ciphertext: bytes.toString('base64') }, key)).toBeNull();
  });

  it('returns null for data sealed for someone else', () => {
    const other = '1a2b3c4d-5e6f-4a1b-8c2d-3e4f5a6b7c8d';
    expect(unsealPersonal(id, sealPersonalData({ firstName: 'A' }, key, other), key)).toBeNull();
  });
});
