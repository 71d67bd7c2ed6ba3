import { errorText } from "./labels.js";

/**
 * The logged-in pages' side of docs/contract.md#http-api's login: JSON calls with the session cookie, the login
 * form, who is logged in, logging out. Shared by the guard console and the admin pages.
 */

export interface Account {
  username: string;
  role: "guard" | "admin";
}

export async function api(path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(path, {
    ...init,
    headers: { "content-type": "application/json", ...init.headers },
    credentials: "same-origin",
  });
}

/**
 * A response's JSON as the type the gateway's contract gives it: the one place the pages take
 * the wire's word for a shape (the API's types are the gateway's own, imported).
 */
export async function json<T>(response: Response): Promise<T> {
  const body: unknown = await response.json();
  return body as T;
}

/** GET of a JSON resource (see `json`). */
export async function getJson<T>(path: string): Promise<T> {
  return json<T>(await api(path));
}

/** Why a call failed, Chinese first: the gateway's `{"error": …}`, or its status line. */
export async function errorOf(response: Response): Promise<string> {
  const body = await json<{ error?: string } | null>(response).catch(() => null);
  return errorText(response.status, body?.error ?? `${response.status} ${response.statusText}`);
}

/** Who is logged in, or null. */
export async function currentAccount(): Promise<Account | null> {
  const response = await api("/api/auth/me");
  if (response.status === 401) return null;
  return json<Account>(response);
}

/** Sends the form's username and password; on success calls `done`, else shows why. */
export function bindLoginForm(form: HTMLFormElement, error: HTMLElement, done: () => void): void {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const fields = new FormData(form);
    const response = await api("/api/auth/login", {
      method: "POST",
      body: JSON.stringify({ username: fields.get("username"), password: fields.get("password") }),
    });
    if (!response.ok) {
      error.textContent =
        response.status === 401
          ? "用户名或密码错误 Wrong username or password"
          : await errorOf(response);
      return;
    }
    error.textContent = "";
    done();
  });
}

export async function logout(): Promise<void> {
  await api("/api/auth/logout", { method: "POST" });
  location.reload();
}
