/**
 * Reads a boolean flag from a container's argv the way Go's standard `flag` package does, which is
 * what snapshot-controller and csi-provisioner use: `-x` and `--x` are the same, `-x` alone means
 * true, `-x=<v>` takes strconv.ParseBool values, the last occurrence wins and parsing stops at the
 * first non-flag argument or after `--`.
 */
import { GO_PARSE_BOOL } from '../catalog/protection';

/** The flag's effective state in an argv. */
export type GoBoolFlag =
  | { readonly state: 'absent' }
  | { readonly state: 'set'; readonly value: boolean; readonly raw: string }
  /** The value would make the binary exit at start-up (`flag provided but ... invalid boolean value`). */
  | { readonly state: 'invalid'; readonly raw: string }
  /** Contains a `$(VAR)` reference the kubelet expands; the value is not knowable from the spec. */
  | { readonly state: 'unresolved'; readonly raw: string };

/** Parses Go's strconv.ParseBool; undefined when Go would refuse the text. */
export function parseGoBool(text: string): boolean | undefined {
  if ((GO_PARSE_BOOL.true as readonly string[]).includes(text)) return true;
  if ((GO_PARSE_BOOL.false as readonly string[]).includes(text)) return false;
  return undefined;
}

/**
 * The argv a container's binary receives: `command[1:] + args` when the spec overrides the
 * entrypoint, else `args` (the images' entrypoint is the controller binary itself).
 */
export function containerArgv(container: { command?: readonly string[]; args?: readonly string[] }): string[] {
  const args = [...(container.args ?? [])];
  return container.command && container.command.length > 0 ? [...container.command.slice(1), ...args] : args;
}

/**
 * Effective value of boolean flag `name` (without dashes). `boolFlags` names the other boolean
 * flags that may appear; any other flag written without `=` consumes the next argument as its
 * value, as Go does for non-boolean flags.
 */
export function readGoBoolFlag(argv: readonly string[], name: string, boolFlags: readonly string[] = []): GoBoolFlag {
  let result: GoBoolFlag = { state: 'absent' };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--' || arg === '-' || !arg.startsWith('-')) break;
    const body = arg.startsWith('--') ? arg.slice(2) : arg.slice(1);
    if (body.startsWith('-') || body.startsWith('=')) break; // Go: "bad flag syntax", the binary exits
    const eq = body.indexOf('=');
    const flag = eq < 0 ? body : body.slice(0, eq);
    const value = eq < 0 ? undefined : body.slice(eq + 1);
    if (flag === name) {
      if (value === undefined) result = { state: 'set', value: true, raw: arg };
      else if (value.includes('$(')) result = { state: 'unresolved', raw: arg };
      else {
        const parsed = parseGoBool(value);
        result = parsed === undefined ? { state: 'invalid', raw: arg } : { state: 'set', value: parsed, raw: arg };
      }
    } else if (value === undefined && !boolFlags.includes(flag) && i + 1 < argv.length && !argv[i + 1].startsWith('-')) {
      i++;
    }
  }
  return result;
}
