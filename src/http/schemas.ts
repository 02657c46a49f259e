import Type from 'typebox';

/** A database id as the API spells it: a positive integer in decimal, no leading zero, within bigint. */
export const ID_PATTERN = '^[1-9][0-9]{0,14}$';
/** A mainland mobile number, 11 digits. */
export const PHONE_PATTERN = '^1[3-9][0-9]{9}$';

/** The `{id}` of a merchant's resource URL; every capability's merchant routes share it. */
export const MerchantIdParams = Type.Object(
  { id: Type.String({ pattern: ID_PATTERN, description: 'Merchant id' }) },
  { additionalProperties: false },
);

/** A schema that also admits null (a field that is there, with no value). */
export const nullable = <T extends Type.TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
