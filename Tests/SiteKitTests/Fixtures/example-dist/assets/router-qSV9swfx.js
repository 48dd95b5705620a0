const listeners = new Set();

export function currentRoute() {
  const { pathname, search } = window.location;
  return { path: pathname, query: new URLSearchParams(search) };
}

export function navigate(path) {
  if (path !== window.location.pathname + window.location.search) {
    window.history.pushState(null, "", path);
  }
  notify();
}

export function onRouteChange(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function notify() {
  const route = currentRoute();
  for (const listener of listeners) listener(route);
}

window.addEventListener("popstate", notify);
