import { currentRoute, navigate, onRouteChange } from "./router-qSV9swfx.js";

const APP_NAME = "Clipcast";

const IN_APP_LINKS = [
  ["/", "Home"],
  ["/app/schedule", "Schedule"],
  ["/auth/tiktok/callback?code=demo&state=demo", "Test TikTok callback"],
];

const PAGE_LINKS = [
  ["/terms", "Terms"],
  ["/privacy", "Privacy"],
];

function h(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(key, value);
  }
  node.append(...children);
  return node;
}

function routeDetails({ path, query }) {
  if (path === "/auth/tiktok/callback") {
    const code = query.get("code");
    const state = query.get("state");
    const error = query.get("error");
    if (error) return [h("p", {}, `TikTok sign-in failed: ${error}`)];
    if (!code) return [h("p", {}, "No authorization code in the callback URL.")];
    return [
      h("p", { class: "ok" }, "Signed in with TikTok: code received"),
      h("p", {}, `Code: present (${code.length} characters, not shown)`),
      h("p", {}, `State: ${state ?? "missing"}`),
    ];
  }
  if (path.startsWith("/app/")) return [h("p", {}, "Your scheduled videos will appear here.")];
  if (path === "/") return [h("p", {}, "Plan, schedule and publish TikTok videos from one calendar.")];
  return [h("p", {}, "This page does not exist in the app.")];
}

function render(route) {
  const main = document.querySelector("main");
  main.replaceChildren(
    h("p", { class: "label" }, "Current route"),
    h("p", { id: "route" }, route.path),
    ...routeDetails(route),
  );
  for (const link of document.querySelectorAll("a[data-link]")) {
    if (link.getAttribute("href") === route.path) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
}

function mount(root) {
  const nav = h(
    "nav",
    { "aria-label": "Main" },
    ...IN_APP_LINKS.map(([href, text]) => h("a", { href, dataset: { link: "" } }, text)),
    ...PAGE_LINKS.map(([href, text]) => h("a", { href }, text)),
  );
  nav.addEventListener("click", (event) => {
    const link = event.target.closest("a[data-link]");
    if (!link || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(link.getAttribute("href"));
  });
  root.replaceChildren(h("header", {}, h("strong", {}, APP_NAME), nav), h("main"));
  onRouteChange(render);
  render(currentRoute());
}

mount(document.getElementById("root"));
