/**
 * The local sign-in page: a plain form, no script at all, styled by a stylesheet of its own origin, so
 * that its Content-Security-Policy needs neither `unsafe-inline` nor any other origin.
 */
export const STYLESHEET_PATH = '/sign-in.css';

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );

export const STYLESHEET = `body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f4f5f7;color:#1c1e21}
main{max-width:22rem;margin:4rem auto;padding:2rem;background:#fff;border-radius:.5rem;box-shadow:0 1px 3px #0003}
h1{font-size:1.25rem;margin:0 0 1rem}label{display:block;margin-top:1rem;font-weight:600}
input{box-sizing:border-box;width:100%;padding:.5rem;margin-top:.25rem;font:inherit}
button{margin-top:1.5rem;width:100%;padding:.6rem;font:inherit;font-weight:600;cursor:pointer}
.error{color:#a00;font-weight:600}.note{margin-top:1.5rem;font-size:.85rem;color:#555}
`;

export interface SignInPage {
  /** The pending authorization request the form answers (an opaque id, never the parameters). */
  requestId: string;
  username?: string;
  error?: string;
}

export function signInPage(page: SignInPage): string {
  const error = page.error ? `<p class="error" role="alert">${escapeHtml(page.error)}</p>` : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Himaya — sign in</title>
<link rel="stylesheet" href="${STYLESHEET_PATH}">
</head>
<body>
<main>
<h1>Himaya compliance console</h1>
<p>Sign in as a compliance officer.</p>
${error}
<form method="post" action="/login">
<input type="hidden" name="request" value="${escapeHtml(page.requestId)}">
<label for="username">Username</label>
<input id="username" name="username" autocomplete="username" required maxlength="128" value="${escapeHtml(page.username ?? '')}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required maxlength="128">
<button type="submit">Sign in</button>
</form>
<p class="note">Local demo officers: <code>npm start</code> prints their passwords, kept in <code>.himaya/console-officers.json</code>.</p>
</main>
</body>
</html>
`;
}

export function errorPage(message: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Himaya — sign-in error</title>
<link rel="stylesheet" href="${STYLESHEET_PATH}">
</head>
<body>
<main>
<h1>This sign-in request is not valid</h1>
<p class="error" role="alert">${escapeHtml(message)}</p>
</main>
</body>
</html>
`;
}
