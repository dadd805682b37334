/**
 * A cmdlet error from Exchange's admin API (InvokeCommand), read from its envelope, never from the HTTP
 * status: "every argument error, every unknown parameter, every invalid enum value and several authorization
 * failures are all HTTP 400 or 403" (rknightion/graph2otel internal/exoclient/errors.go, from live captures;
 * microsoft-facts §8). The envelope:
 *   {"error":{"code":"BadRequest","message":"Invalid Operation",
 *     "details":[{"code":"Client","message":"|Type.Name|real text"}],
 *     "innererror":{"internalexception":{"message":"real text","type":"Type.Name"}}}}
 * `error.message` is always "Invalid Operation"; the exception type is the discriminator. Pure, so the
 * Security & Compliance workload (the same InvokeCommand transport) reads its answers the same way.
 */

type CmdletErrorKind =
  /** The object named does not exist (ManagementObjectNotFoundException and kin). */
  | 'not-found'
  /** It exists already, or the member is in the group already. */
  | 'already-exists'
  /** A parameter, argument or enum value was refused. */
  | 'parameter-binding'
  /** The cmdlet is not in the caller's session: outside its roles, or unknown. */
  | 'not-recognised'
  | 'access-denied'
  | 'other';

export interface CmdletError {
  kind: CmdletErrorKind;
  /** The exception type, e.g. Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException. */
  type: string;
  /** The real text (never the envelope's "Invalid Operation"). */
  message: string;
}

interface Envelope {
  error?: {
    message?: unknown;
    details?: { message?: unknown }[];
    innererror?: { internalexception?: { message?: unknown; type?: unknown } };
  };
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** `|Type.Name|real text` → [type, text]. */
function splitTyped(text: string | undefined): [string, string] | undefined {
  const m = /^\|([\w.+`]+)\|([\s\S]*)$/.exec(text ?? '');
  return m ? [m[1] ?? '', (m[2] ?? '').trim()] : undefined;
}

function kindOfType(type: string, message: string): CmdletErrorKind {
  const t = type.split('.').pop() ?? type;
  if (/CommandNotFound/i.test(t) || /is not recognized as (the|a) name of a cmdlet/i.test(message))
    return 'not-recognised';
  if (/AlreadyExists|Duplicate/i.test(t)) return 'already-exists';
  if (/NotFound/i.test(t)) return 'not-found';
  if (/ParameterBinding|Argument|ParameterTransformation|ValidationMetadata|InvalidEnum/i.test(t))
    return 'parameter-binding';
  if (/AccessDenied|Unauthorized|Permission/i.test(t)) return 'access-denied';
  return 'other';
}

/** The cmdlet error in a parsed body, or undefined when the body carries no typed envelope. */
export function classifyCmdletError(body: unknown): CmdletError | undefined {
  const error = (body as Envelope | undefined)?.error;
  if (!error || typeof error !== 'object') return undefined;
  const inner = error.innererror?.internalexception;
  const typed = splitTyped(str(error.details?.[0]?.message));
  const type = str(inner?.type) ?? typed?.[0];
  if (!type) return undefined;
  const message = str(inner?.message) ?? typed?.[1] ?? str(error.message) ?? type;
  return { kind: kindOfType(type, message), type, message };
}
