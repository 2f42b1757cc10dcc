// Calls to the console, with the signed-in user's token; the live feed read from a fetch stream
// (EventSource cannot send an Authorization header, and the token must not go in the URL).

export type Row = Record<string, any>;

let token = sessionStorage.getItem("oneteam.token") ?? "";

export function signedIn(): boolean {
  return token !== "";
}

export function setToken(value: string): void {
  token = value.trim();
  if (token) sessionStorage.setItem("oneteam.token", token);
  else sessionStorage.removeItem("oneteam.token");
}

export class ApiError extends Error {
  constructor(public status: number, public problem: Row) {
    super(problem.detail ?? problem.title ?? `HTTP ${status}`);
  }
}

export async function call(path: string, init: RequestInit = {}): Promise<any> {
  const headers = new Headers(init.headers);
  headers.set("Authorization", `Bearer ${token}`);
  if (init.body) headers.set("Content-Type", "application/json");
  const answer = await fetch(path, { ...init, headers });
  if (answer.status === 204) return null;
  const body = answer.headers.get("content-type")?.includes("json") ? await answer.json() : await answer.text();
  if (!answer.ok) throw new ApiError(answer.status, typeof body === "object" ? body : { detail: body });
  return body;
}

/** Read the SSE feed until it ends or `signal` aborts; each event goes to `onEvent`. */
export async function follow(path: string, onEvent: (name: string, data: any) => void,
                             signal: AbortSignal): Promise<void> {
  const answer = await fetch(path, { headers: { Authorization: `Bearer ${token}` }, signal });
  if (!answer.ok || !answer.body) throw new ApiError(answer.status, await answer.json().catch(() => ({})));
  const reader = answer.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    // A picture of 5 000 officers comes in many chunks: look for the end only in what is new.
    const from = Math.max(0, buffer.length - 1);
    buffer += value;
    let end = buffer.indexOf("\n\n", from);
    if (end < 0) continue;
    for (; end >= 0; end = buffer.indexOf("\n\n")) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let name = "message";
      const data: string[] = [];
      for (const line of block.split("\n")) {
        if (line.startsWith("event: ")) name = line.slice(7);
        else if (line.startsWith("data: ")) data.push(line.slice(6));
      }
      if (data.length) onEvent(name, JSON.parse(data.join("\n")));
    }
  }
}
