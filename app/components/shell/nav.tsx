"use client";
import { usePathname } from "next/navigation";
import { AppLink } from "./app-link";

export const PAGES = [
  { href: "/", label: "Overview", key: "o" },
  { href: "/agents", label: "Agents", key: "a" },
  { href: "/frameworks", label: "Frameworks", key: "f" },
  { href: "/tasks", label: "Tasks", key: "t" },
  { href: "/offers", label: "Offers", key: "r" },
  { href: "/roles", label: "Roles", key: "l" },
  { href: "/maintenance", label: "Maintenance", key: "m" },
  { href: "/ha", label: "High availability", key: "h" },
  { href: "/events", label: "Events", key: "e" },
] as const;

export function Nav() {
  const path = usePathname();
  const active = (href: string) => (href === "/" ? path === "/" : path === href || path.startsWith(`${href}/`));
  return (
    <nav className="side" aria-label="Pages">
      <div className="side-inner">
      <ul>
        {PAGES.map((p) => (
          <li key={p.href}>
            <AppLink href={p.href} prefetch aria-current={active(p.href) ? "page" : undefined} className={active(p.href) ? "active" : undefined} title={`g then ${p.key}`}>
              {p.label}
            </AppLink>
          </li>
        ))}
      </ul>
      <p className="nav-hint muted">
        <kbd>Ctrl</kbd> <kbd>K</kbd> search · <kbd>?</kbd> keys
      </p>
      </div>
    </nav>
  );
}
