// Port for Kubernetes TokenReview: "who is this bearer token?". The HTTP
// layer's verifier (adapters/http/token-review.ts) decides what is allowed.

export interface TokenReviewResult {
  authenticated: boolean;
  username?: string;
  groups: string[];
  /** The apiserver's reason when not authenticated (never contains the token). */
  error?: string;
}

export interface TokenReviewer {
  /** Rejects with a KubeError when the apiserver cannot answer. */
  review(token: string): Promise<TokenReviewResult>;
}
