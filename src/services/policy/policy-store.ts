// Holds the policy set in force. A reload is all-or-nothing: a broken file
// keeps the last good set in force, raises an alert and fails /readyz; with no
// good set at all the gate refuses to decide (BLOCK) and to start.
import { compilePolicySet } from '../../core/policy/compile.js';
import type { CompiledPolicySet } from '../../core/policy/types.js';

export interface PolicyFile {
  name: string;
  text: string;
}

export interface PolicyStatus {
  ok: boolean;
  digest?: string;
  loadedAt?: string;
  errors: string[];
}

export class PolicyStore {
  #current: CompiledPolicySet | undefined;
  #errors: string[] = [];
  #loadedAt: string | undefined;
  readonly #listeners: Array<(s: PolicyStatus) => void> = [];

  /** Returns true when the new set is in force. */
  reload(files: PolicyFile[], now: Date): boolean {
    const result = compilePolicySet(files);
    if (result.ok) {
      this.#current = result.set;
      this.#errors = [];
      this.#loadedAt = now.toISOString();
    } else {
      this.#errors = result.errors;
    }
    const s = this.status();
    for (const l of this.#listeners) l(s);
    return result.ok;
  }

  current(): CompiledPolicySet | undefined {
    return this.#current;
  }

  onChange(listener: (s: PolicyStatus) => void): void {
    this.#listeners.push(listener);
  }

  status(): PolicyStatus {
    return {
      ok: this.#current !== undefined && this.#errors.length === 0,
      ...(this.#current ? { digest: this.#current.digest } : {}),
      ...(this.#loadedAt ? { loadedAt: this.#loadedAt } : {}),
      errors: [...this.#errors],
    };
  }
}
