// The console's JSON API (served by cpa serve under /console/api/). Every call but sign-in
// carries the session's CSRF token, which lives only in this module's memory (never in storage).
// The session cookie itself is HttpOnly: scripts never see it.

export interface SessionInfo {
  signedIn: boolean;
  account?: string;
  arn?: string;
  userId?: string;
  csrfToken?: string;
  expiresAt?: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

// Loose JSON from the server (converted awsQuery XML or a JSON service's body).
export type Json = any;

let csrfToken = "";
let onSignedOut: () => void = () => {};

export function setSignedOutHandler(fn: () => void): void {
  onSignedOut = fn;
}

async function request(path: string, body?: unknown): Promise<Json> {
  const init: RequestInit = { method: body === undefined ? "GET" : "POST", credentials: "same-origin" };
  if (body !== undefined) {
    init.headers = { "Content-Type": "application/json", "X-CSRF-Token": csrfToken };
    init.body = JSON.stringify(body);
  }
  let res: Response;
  try {
    res = await fetch("/console/api/" + path, init);
  } catch {
    throw new ApiError(0, "NetworkError", "cpa serve did not answer. Is it still running?");
  }
  let data: Json = {};
  try {
    data = await res.json();
  } catch {
    data = {};
  }
  if (!res.ok) {
    const code: string = data?.error?.code ?? `HTTP ${res.status}`;
    const message: string = data?.error?.message ?? res.statusText;
    if (res.status === 401 && code === "NotSignedIn") onSignedOut();
    throw new ApiError(res.status, code, message);
  }
  return data;
}

export async function session(): Promise<SessionInfo> {
  const s: SessionInfo = await request("session");
  csrfToken = s.csrfToken ?? "";
  return s;
}

export async function signIn(accessKeyId: string, secretAccessKey: string): Promise<SessionInfo> {
  const s: SessionInfo = await request("sign-in", { accessKeyId, secretAccessKey });
  csrfToken = s.csrfToken ?? "";
  return s;
}

export async function signOut(): Promise<void> {
  try {
    await request("sign-out", {});
  } finally {
    csrfToken = "";
  }
}

// An IAM (awsQuery) action; parameters as JSON (lists as arrays). Resolves to the action's result.
export async function iam(action: string, params: Record<string, unknown> = {}): Promise<Json> {
  return (await request("iam/" + action, params)).result ?? {};
}

export async function eks(operation: string, params: Record<string, unknown>): Promise<Json> {
  return (await request("eks/" + operation, params)).result ?? {};
}

export interface Validation {
  valid: boolean;
  kind?: string;
  statements?: number;
  size?: number;
  quota?: number;
  error?: { code: string; message: string };
}

export async function validatePolicy(document: string, kind: "identity" | "trust", limit: string): Promise<Validation> {
  return request("policy/validate", { document, kind, limit });
}

export async function roleChain(roleName: string, roleArn = ""): Promise<Json> {
  return request("chain/role", roleArn ? { roleArn } : { roleName });
}

export async function checkConfig(config: string): Promise<Json> {
  return request("chain/check", { config });
}

// A list member of converted XML: an empty list arrives as "" (an empty element).
export function list(value: Json): Json[] {
  return Array.isArray(value) ? value : [];
}

// Fetches every page of an IAM list action (Marker/IsTruncated).
export async function iamAll(action: string, member: string, params: Record<string, unknown> = {}): Promise<Json[]> {
  const out: Json[] = [];
  let marker: string | undefined;
  for (let page = 0; page < 50; page++) {
    const r = await iam(action, marker ? { ...params, Marker: marker } : params);
    out.push(...list(r[member]));
    if (r.IsTruncated !== "true" || !r.Marker) break;
    marker = r.Marker;
  }
  return out;
}

export async function regions(): Promise<{ regions: { region: string; account: string }[] }> {
  return request("regions");
}
