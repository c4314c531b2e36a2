import type { ComponentChildren, JSX, LooseInputHTMLAttributes } from 'preact';
import { useId } from 'preact/hooks';
import { RpcError } from '../lib/rpc-client.js';

/**
 * An API error exactly as the API worded it (Code and Message verbatim), as an alert so
 * screen readers read it when it appears.
 */
export function ErrorBox({ error, context }: { error: unknown; context?: string }) {
  if (error === undefined || error === null) return null;
  const rpc = error instanceof RpcError ? error : undefined;
  const message = rpc ? rpc.message : error instanceof Error ? error.message : String(error);
  return (
    <div class="error" role="alert">
      {context && <p class="error-context">{context}</p>}
      <p>
        {rpc && <code class="error-code">{rpc.code}</code>}{' '}
        <span class="error-message">{message}</span>
      </p>
      {rpc?.requestId && <p class="request-id">RequestId {rpc.requestId}</p>}
    </div>
  );
}

export interface FieldProps {
  label: string;
  hint?: ComponentChildren;
  /** Marks the field as the one the API complained about. */
  invalid?: boolean;
  children: (ids: { id: string; describedBy: string | undefined; invalid: boolean }) => JSX.Element;
  class?: string;
  /** The control's id (default: generated). */
  id?: string;
  /** Shown under the control (an API error about this field). */
  message?: ComponentChildren;
}

/** A labelled form field with an optional hint, wired with aria-describedby. */
export function Field(props: FieldProps) {
  const { label, hint, invalid = false, children, class: cls, id: given, message } = props;
  const generated = useId();
  const id = given ?? generated;
  const hintId = `${id}-hint`;
  return (
    <div class={`field ${invalid ? 'field-invalid' : ''} ${cls ?? ''}`}>
      <label for={id}>{label}</label>
      {children({ id, describedBy: hint ? hintId : undefined, invalid })}
      {hint && (
        <p class="hint" id={hintId}>
          {hint}
        </p>
      )}
      {message}
    </div>
  );
}

/** A text input with suggestions (a `<datalist>`); typing anything else is fine too. */
export function SuggestInput(
  props: Omit<LooseInputHTMLAttributes<HTMLInputElement>, 'type' | 'role' | 'list'> & {
    suggestions: readonly string[];
    id: string;
  },
) {
  const { suggestions, id, ...rest } = props;
  const listId = `${id}-list`;
  return (
    <>
      <input type="text" {...rest} id={id} list={listId} autocomplete="off" spellcheck={false} />
      <datalist id={listId}>
        {suggestions.map((s) => (
          <option key={s} value={s} />
        ))}
      </datalist>
    </>
  );
}

/** Which form field an API error is about: the parameter named in its Code or Message. */
export function fieldOfError(err: unknown, fields: readonly string[]): string | undefined {
  if (!(err instanceof RpcError)) return undefined;
  const text = `${err.code} ${err.message}`;
  const hits = fields.filter((f) => new RegExp(`\\b${f}\\b`).test(text));
  // "OverwriteOssObject or SequenceOssObject": both are named; mark the first
  return hits[0];
}

export function Spinner({ label }: { label: string }) {
  return (
    <span class="spinner" role="status">
      <span class="spinner-dot" aria-hidden="true" />
      {label}
    </span>
  );
}
