import { randomBytes } from 'node:crypto';
import { sealPersonalData, unsealPersonalData } from './personal-data-seal';

describe('personal data sealing', () => {
  const key = randomBytes(32);
  const id = '9f8e7d6c-5b4a-4f3e-8d2c-1b0a9f8e7d6c';

  it('opens with the participant key what it sealed, and the ciphertext hides the name', () => {
    const sealed = sealPersonalData({ firstName: 'Léa', ageRange: '25-34' }, key, id);
    expect(JSON.stringify(sealed)).not.toContain('Léa');
    expect(unsealPersonalData(sealed, key)).toEqual({ firstName: 'Léa', ageRange: '25-34' });
  });

  it('cannot be opened once the key is gone (another key)', () => {
    const sealed = sealPersonalData({ firstName: 'Léa' }, key, id);
    expect(unsealPersonalData(sealed, randomBytes(32))).toBeUndefined();
  });

  it('cannot be moved to another participant (the id is authenticated)', () => {
    const sealed = sealPersonalData({ firstName: 'Léa' }, key, id);
    expect(unsealPersonalData({ ...sealed, keyId: 'someone-else' }, key)).toBeUndefined();
  });
});
