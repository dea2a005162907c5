import { FieldError, forbiddenCharacterErrors, lengthErrors, normaliseText } from '@app/domain';
import { PersonalData, Tier } from '@app/events';
import { ProblemError, problem, validationFailed } from '@app/http';
import { ResolvedTerritory, TerritoryIndex } from '@app/territory';
import { RegisterParticipantDto } from './register-participant.dto';

export interface Registration {
  readonly tier: Tier;
  readonly territory: ResolvedTerritory;
  readonly personal?: PersonalData;
}

const FIRST_NAME_MAX = 50;

/**
 * Decides a registration from its body: exactly one of communeCode / postalCode, resolved
 * server-side to a tier (the only tier the participant will ever carry), and an optional first
 * name (NFC, trimmed, 1–50 code points, no control or markup-breaking characters).
 */
export const decideRegistration = (index: TerritoryIndex, body: RegisterParticipantDto): Registration | ProblemError => {
  const errors: FieldError[] = [];
  if ((body.communeCode === undefined) === (body.postalCode === undefined)) {
    errors.push({ pointer: body.communeCode === undefined ? '' : '/postalCode', detail: 'give exactly one of communeCode and postalCode' });
  }
  const firstName = body.firstName === undefined ? undefined : normaliseText(body.firstName);
  if (firstName !== undefined) {
    errors.push(...lengthErrors(firstName, '/firstName', 1, FIRST_NAME_MAX), ...forbiddenCharacterErrors(firstName, '/firstName'));
    if (/[<>]/.test(firstName)) errors.push({ pointer: '/firstName', detail: 'must not contain < or >' });
  }
  if (errors.length > 0) return validationFailed(errors);

  const resolution =
    body.communeCode !== undefined ? index.resolveCommune(body.communeCode) : index.resolvePostalCode(body.postalCode as string);
  if (!resolution.ok) {
    const { kind, detail, ...extensions } = resolution.error;
    return problem(422, kind, detail, extensions);
  }
  const personal: PersonalData | undefined =
    firstName !== undefined || body.ageRange !== undefined
      ? { ...(firstName !== undefined && { firstName }), ...(body.ageRange !== undefined && { ageRange: body.ageRange }) }
      : undefined;
  return { tier: resolution.tier, territory: resolution.territory, personal };
};
