"use client";
// Light / dark / system theme. The choice is kept in localStorage and applied as
// <html data-theme>; "system" follows prefers-color-scheme. THEME_SCRIPT runs before paint.
import { useEffect, useState } from "react";

type Theme = "system" | "light" | "dark";
import { THEME_KEY as KEY } from "../../lib/theme-script";

export function applyTheme(t: Theme): void {
  try {
    if (t === "system") localStorage.removeItem(KEY);
    else localStorage.setItem(KEY, t);
  } catch {
    // storage unavailable: the choice lasts for this page only
  }
  if (t === "system") delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = t;
  window.dispatchEvent(new Event("plateau-theme"));
}

export function currentTheme(): Theme {
  const t = typeof document === "undefined" ? undefined : document.documentElement.dataset.theme;
  return t === "light" || t === "dark" ? t : "system";
}

export function ThemeToggle() {
  const [theme, setTheme] = useState<Theme>("system");
  useEffect(() => {
    const sync = () => setTheme(currentTheme());
    sync();
    window.addEventListener("plateau-theme", sync);
    return () => window.removeEventListener("plateau-theme", sync);
  }, []);
  const next: Theme = theme === "system" ? "dark" : theme === "dark" ? "light" : "system";
  return (
    <button type="button" className="theme-toggle" onClick={() => applyTheme(next)} title={`Theme: ${theme} (click for ${next})`} data-testid="theme-toggle">
      {theme === "dark" ? "☾ Dark" : theme === "light" ? "☀ Light" : "◐ System"}
    </button>
  );
}
