// The application shell: header, navigation, hash routes, flash messages, focus management.
import * as api from "./api";
import { type Child, clear, errorBox, h, successBox } from "./dom";

export interface Page {
  title: string;
  render(main: HTMLElement, params: string[]): Promise<void>;
}

interface Route {
  pattern: RegExp;
  page: Page;
}

const routes: Route[] = [];
let flashMessage = "";
let currentSession: api.SessionInfo = { signedIn: false };
let signInPage: Page | null = null;

export function addRoute(pattern: RegExp, page: Page): void {
  routes.push({ pattern, page });
}

export function setSignInPage(page: Page): void {
  signInPage = page;
}

export function session(): api.SessionInfo {
  return currentSession;
}

export function setSession(s: api.SessionInfo): void {
  currentSession = s;
  renderHeader();
}

// A message shown at the top of the next page (e.g. "Policy x created.").
export function flash(text: string): void {
  flashMessage = text;
}

export function navigate(hash: string): void {
  if (location.hash === hash) void render();
  else location.hash = hash;
}

// Shows an API error (AWS's code and message) in `where`, replacing what was there.
export function showError(where: HTMLElement, e: unknown): void {
  clear(where);
  if (e instanceof api.ApiError) where.appendChild(errorBox(e.code, e.message));
  else where.appendChild(errorBox("Error", String(e)));
  where.scrollIntoView?.({ block: "nearest" });
}

export function pageHeader(title: string, ...actions: Child[]): HTMLElement {
  return h(
    "div",
    { class: "page-header" },
    h("h1", { tabindex: "-1" }, title),
    actions.length ? h("div", { class: "actions" }, ...actions) : null,
  );
}

export function link(href: string, text: string, cls = ""): HTMLAnchorElement {
  return h("a", { href, class: cls }, text);
}

function renderHeader(): void {
  const who = document.getElementById("who");
  const nav = document.getElementById("nav");
  if (!who || !nav) return;
  clear(who);
  if (currentSession.signedIn) {
    const out = h("button", { type: "button", id: "sign-out" }, "Sign out");
    out.addEventListener("click", async () => {
      try {
        await api.signOut();
      } catch {
        // The session is gone either way.
      }
      setSession({ signedIn: false });
      flash("You are signed out.");
      navigate("#/sign-in");
    });
    who.append(
      h("span", { class: "principal", title: currentSession.arn ?? "" }, currentSession.arn ?? ""),
      h("span", { class: "account" }, "Account " + (currentSession.account ?? "")),
      out,
    );
    nav.hidden = false;
  } else {
    nav.hidden = true;
  }
}

function markCurrentNav(): void {
  const hash = location.hash || "#/";
  document.querySelectorAll<HTMLAnchorElement>("#nav a").forEach((a) => {
    const target = a.getAttribute("href") ?? "";
    const current = target === "#/" ? hash === "#/" : hash === target || hash.startsWith(target + "/");
    if (current) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  });
}

let renderCount = 0;

export async function render(): Promise<void> {
  const main = document.getElementById("main") as HTMLElement;
  const n = ++renderCount;
  const hash = location.hash.replace(/^#/, "") || "/";
  let page: Page | null = null;
  let params: string[] = [];
  if (!currentSession.signedIn && hash !== "/sign-in") {
    page = signInPage;
  } else {
    for (const r of routes) {
      const m = r.pattern.exec(hash);
      if (m) {
        page = r.page;
        params = m.slice(1).map((p) => (p === undefined ? "" : decodeURIComponent(p)));
        break;
      }
    }
  }
  markCurrentNav();
  clear(main);
  if (flashMessage) {
    main.appendChild(successBox(flashMessage));
    flashMessage = "";
  }
  if (!page) {
    main.append(pageHeader("Not found"), h("p", {}, "No such page. ", link("#/", "Go to the dashboard.")));
    return;
  }
  document.title = page.title + " | cpa console";
  const body = h("div", { class: "page" });
  main.appendChild(body);
  try {
    await page.render(body, params);
  } catch (e) {
    // What rendered before the failure stays (the page's heading and actions); the error follows.
    if (n === renderCount) {
      if (!body.querySelector("h1")) body.prepend(pageHeader(page.title));
      const where = h("div", { class: "errors" });
      body.appendChild(where);
      showError(where, e);
    }
  }
  if (n === renderCount) focusHeading(main);
}

export function focusHeading(root: HTMLElement): void {
  const h1 = root.querySelector<HTMLElement>("h1");
  if (h1) {
    h1.setAttribute("tabindex", "-1");
    h1.focus({ preventScroll: false });
  }
}

export async function start(): Promise<void> {
  api.setSignedOutHandler(() => {
    if (currentSession.signedIn) {
      setSession({ signedIn: false });
      flash("Your session ended. Sign in again.");
      navigate("#/sign-in");
    }
  });
  try {
    setSession(await api.session());
  } catch {
    setSession({ signedIn: false });
  }
  window.addEventListener("hashchange", () => void render());
  await render();
}
