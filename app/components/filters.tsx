"use client";
// A debounced text filter bound to URL state. The page's primary filter gets `data-filter`, which
// the "/" shortcut focuses.
import { useEffect, useRef, useState } from "react";

export function FilterText({ label, placeholder, value, onChange, primary, testId, width }: { label: string; placeholder?: string; value: string | undefined; onChange: (v: string | undefined) => void; primary?: boolean; testId?: string; width?: number }) {
  const [text, setText] = useState(value ?? "");
  const last = useRef(value ?? "");
  useEffect(() => {
    if ((value ?? "") !== last.current) {
      last.current = value ?? "";
      setText(value ?? "");
    }
  }, [value]);
  useEffect(() => {
    if (text === last.current) return;
    const t = setTimeout(() => {
      last.current = text;
      onChange(text.trim() || undefined);
    }, 250);
    return () => clearTimeout(t);
  }, [text, onChange]);
  return (
    <label className="filter">
      <span className="sr-only">{label}</span>
      <input
        type="search"
        value={text}
        placeholder={placeholder ?? label}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => e.key === "Escape" && (e.currentTarget as HTMLInputElement).blur()}
        aria-label={label}
        data-filter={primary ? "" : undefined}
        data-testid={testId}
        style={width ? { width } : undefined}
      />
    </label>
  );
}
