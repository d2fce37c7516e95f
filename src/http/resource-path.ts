/** Characters RFC 3986 never needs encoded: an encoded one (`%31`) is the same as the character. */
const UNRESERVED = /^[A-Za-z0-9\-._~]$/;
/** Characters a path may hold as they are (pchar and `/`). */
const PATH_CHARACTER = /^[A-Za-z0-9\-._~!$&'()*+,;=:@/]$/;
const TOKEN = /%[0-9A-Fa-f]{2}|[\s\S]/gu;

function encodeCharacter(character: string): string {
  try {
    return encodeURIComponent(character);
  } catch {
    // A lone surrogate has no UTF-8 form.
    return '%EF%BF%BD';
  }
}

function normaliseToken(token: string): string {
  if (token.length === 3 && token.startsWith('%')) {
    const character = String.fromCharCode(Number.parseInt(token.slice(1), 16));
    return UNRESERVED.test(character) ? character : token.toUpperCase();
  }
  return PATH_CHARACTER.test(token) ? token : encodeCharacter(token);
}

/** RFC 3986 §5.2.4: `.` and `..` segments removed. */
function withoutDotSegments(path: string): string {
  const kept: string[] = [];
  const segments = path.split('/');
  for (const [index, segment] of segments.entries()) {
    const last = index === segments.length - 1;
    if (segment === '.' || segment === '..') {
      if (segment === '..' && kept.length > 1) kept.pop();
      if (last) kept.push('');
    } else kept.push(segment);
  }
  return kept.join('/') || '/';
}

/**
 * A request path in the one form the access log and idempotency keys use (RFC 3986 §6.2.2): encoded
 * unreserved characters decoded (`/v1/cases/%31…` is `/v1/cases/1…`), other encodings in upper case,
 * anything a path may not hold encoded, dot segments removed. Two spellings of a resource give one path.
 */
export function normalisePath(raw: string): string {
  const encoded = (raw.match(TOKEN) ?? []).map(normaliseToken).join('');
  return withoutDotSegments(encoded.startsWith('/') ? encoded : `/${encoded}`);
}
