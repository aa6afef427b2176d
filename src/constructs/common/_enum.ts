/**
 * Enum-typed props also take the enum's string values, so TypeScript users may write `'Retain'` or
 * `'CONTROLLER_SERVICE'` without importing the enum (plain JavaScript always could). Every such
 * prop is still checked at run time against the enum's values.
 */
export type EnumValue<E extends string> = E | `${E}`;
