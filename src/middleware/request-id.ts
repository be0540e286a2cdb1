const INBOUND = /^[A-Za-z0-9._-]{1,128}$/;

function newRequestId(): string {
  return `req_${crypto.randomUUID().replace(/-/g, "")}`;
}

/** A well-formed inbound x-request-id, echoed; otherwise one of ours. */
export function requestIdFrom(inbound: string | undefined): string {
  return inbound && INBOUND.test(inbound) ? inbound : newRequestId();
}
