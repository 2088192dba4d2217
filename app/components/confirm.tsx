"use client";
// Confirmation for operator actions: says what will happen (and to what), asks for the
// operator's reason (recorded in the timeline), runs the action, and shows the master's error in
// words next to the control when it fails. Used by every control in the dashboard.
import { useEffect, useId, useRef, useState } from "react";

export interface ConfirmProps {
  open: boolean;
  onClose: () => void;
  title: string;
  /** What the action does and to what (a preview of the affected tasks, etc.). */
  children?: React.ReactNode;
  confirmLabel: string;
  danger?: boolean;
  /** Runs the action with the reason; a thrown error is shown in the dialog. */
  onConfirm: (reason: string) => Promise<unknown>;
  /** Extra form fields (e.g. drain options), rendered above the reason. */
  fields?: React.ReactNode;
  testId?: string;
}

/** A readable message from a tRPC/zod error. */
export function errorText(err: unknown): string {
  const e = err as { message?: string; data?: { fieldErrors?: Record<string, string[] | undefined> } };
  const fields = e?.data?.fieldErrors;
  if (fields) {
    const parts = Object.entries(fields).flatMap(([k, v]) => (v ?? []).map((m) => `${k}: ${m}`));
    if (parts.length > 0) return parts.join("; ");
  }
  const msg = e?.message ?? String(err);
  // zod issues arrive as a JSON array in the message when not formatted
  if (msg.startsWith("[")) {
    try {
      const issues = JSON.parse(msg) as { path?: string[]; message: string }[];
      return issues.map((i) => `${(i.path ?? []).join(".") || "input"}: ${i.message}`).join("; ");
    } catch {
      return msg;
    }
  }
  return msg;
}

export function ConfirmDialog({ open, onClose, title, children, confirmLabel, danger, onConfirm, fields, testId }: ConfirmProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const [reason, setReason] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const id = useId();

  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) {
      setError(null);
      setPending(false);
      d.showModal();
    } else if (!open && d.open) d.close();
  }, [open]);

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    if (reason.trim().length < 3) {
      setError("Give a reason (at least 3 characters): it is recorded in the timeline.");
      return;
    }
    setPending(true);
    setError(null);
    try {
      await onConfirm(reason.trim());
      setReason("");
      onClose();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setPending(false);
    }
  };

  return (
    <dialog ref={ref} className="confirm" onClose={onClose} aria-labelledby={`${id}-title`} data-testid={testId ?? "confirm-dialog"}>
      <form onSubmit={submit}>
        <h2 id={`${id}-title`}>{title}</h2>
        <div className="confirm-body">{children}</div>
        {fields}
        <label className="field">
          <span>Reason (recorded in the timeline)</span>
          <textarea name="reason" value={reason} onChange={(e) => setReason(e.target.value)} rows={2} maxLength={500} autoFocus data-testid="confirm-reason" />
        </label>
        {error && (
          <p className="error" role="alert" data-testid="confirm-error">
            {error}
          </p>
        )}
        <div className="actions">
          <button type="button" onClick={onClose} disabled={pending}>Cancel</button>
          <button type="submit" className={danger ? "danger" : "primary"} disabled={pending} data-testid="confirm-submit">
            {pending ? "Working…" : confirmLabel}
          </button>
        </div>
      </form>
    </dialog>
  );
}

/** A button that opens a ConfirmDialog. */
export function ConfirmButton(props: Omit<ConfirmProps, "open" | "onClose"> & { label: React.ReactNode; buttonClass?: string; disabled?: boolean; buttonTestId?: string }) {
  const [open, setOpen] = useState(false);
  const { label, buttonClass, disabled, buttonTestId, ...dialog } = props;
  return (
    <>
      <button type="button" className={buttonClass ?? (props.danger ? "danger" : undefined)} onClick={() => setOpen(true)} disabled={disabled} data-testid={buttonTestId}>
        {label}
      </button>
      {open && <ConfirmDialog {...dialog} open={open} onClose={() => setOpen(false)} />}
    </>
  );
}
