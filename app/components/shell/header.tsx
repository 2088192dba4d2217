"use client";
// The top bar: which master this page follows and whether it leads, the command palette, the
// theme and the live/paused toggle.
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "../../trpc/client";
import { LiveToggle } from "../live";
import { shortId } from "../../format";
import { AppLink } from "./app-link";
import { ThemeToggle } from "./theme";
import { openPalette } from "./palette";
import { Ago } from "../time";
import { useAuth } from "../../lib/use-auth";

/** The signed-in principal and the logout button (a POST form: no script needed). */
function Account() {
  const me = useAuth();
  if (!me?.authEnabled) return null;
  return (
    <form method="post" action="/logout" className="account" data-testid="account">
      <span className="muted">signed in as <b data-testid="principal">{me.principal}</b></span>{" "}
      <button type="submit" className="small" data-testid="logout">Sign out</button>
    </form>
  );
}

export function Header() {
  const trpc = useTRPC();
  const { data, error } = useQuery(trpc.cluster.master.queryOptions());
  return (
    <header className="top">
      <AppLink href="/" className="brand"><span className="logo" aria-hidden>▰</span> Plateau</AppLink>
      <div className="master" data-testid="master-info">
        {data ? (
          <>
            <span className={`state ${data.leading ? "ok" : "warn"}`} data-testid="master-role">{data.leading ? "leading" : "not leading"}</span>
            <span>master <code title={data.masterId}>{shortId(data.masterId)}</code> at {data.address}</span>
            <span className="muted">v{data.version}{data.electedTime ? <> · elected <Ago ms={data.electedTime} /></> : null}</span>
          </>
        ) : error ? (
          <span className="state bad">master unreachable: {error.message}</span>
        ) : null}
      </div>
      <button type="button" className="palette-button" onClick={openPalette} data-testid="open-palette">
        Search or run… <kbd>Ctrl K</kbd>
      </button>
      <ThemeToggle />
      <LiveToggle />
      <Account />
    </header>
  );
}
