import { PersonalData, SealedPersonalData, unsealPersonalData } from '@app/events';

/**
 * Opens a participant's sealed personal data with the key read from the keystore (pure: the
 * caller fetched the key). The sealing format (AES-256-GCM, 12-byte iv, 16-byte tag, the
 * participant id as keyId and authenticated data) is the event contract's, so this delegates to
 * it; it also refuses data sealed for someone else. Null when the key does not open it.
 */
export const unsealPersonal = (participantId: string, sealed: SealedPersonalData, key: Buffer): PersonalData | null => {
  if (key.length !== 32 || sealed.keyId.toLowerCase() !== participantId.toLowerCase()) return null;
  return unsealPersonalData(sealed, key) ?? null;
};
