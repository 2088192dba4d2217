"use client";
// In-app links: client-side navigation on the master that served the page; after the page has
// followed the leader to another master, a plain link to the same path there.
import Link from "next/link";
import { hrefOn, useMasterBase } from "../../lib/masters";

type Props = Omit<React.AnchorHTMLAttributes<HTMLAnchorElement>, "href"> & { href: string; prefetch?: boolean };

export function AppLink({ href, prefetch = false, children, ...rest }: Props) {
  const base = useMasterBase();
  if (base) return <a href={hrefOn(base, href)} {...rest}>{children}</a>;
  return <Link href={href} prefetch={prefetch} {...rest}>{children}</Link>;
}
