// Translation from cpa's `policy simulate --request FILE` format to the
// Simulation object of @cloud-copilot/iam-simulate, plus the mapping of its
// result vocabulary to ours. Shared by simulate.mjs and bench.mjs.
//
// cpa request:  {principal, action, resource, context?, identityPolicies?,
//                resourcePolicy?, permissionsBoundary?, sessionPolicy?}
// iam-simulate: {request: {principal, action, resource: {resource, accountId},
//                contextVariables}, identityPolicies: [{name, policy}],
//                resourcePolicy?, permissionBoundaryPolicies?: [{name, policy}],
//                sessionPolicy?, serviceControlPolicies: [], resourceControlPolicies: []}
//
// How iam-simulate sees accounts and trust (read from its 0.1.173 sources):
// - Principal account: the 5th field of the principal ARN (AuthenticatedRequestPrincipalImpl).
// - Resource account: NOT derived from the resource ARN; the caller passes
//   resource.accountId. We derive it like cpa does: the ARN's account field, or,
//   when the resource has none ("*" for resource-less actions such as
//   ecr:GetAuthorizationToken, or S3 bucket/object ARNs), the principal's account.
//   Gap: an S3 bucket in another account cannot be expressed in our format.
// - Same account = principal account === resource account; otherwise the
//   DefaultServiceAuthorizer requires both an identity allow and a resource
//   policy allow (account-level, role or exact principal match).
// - sts:* goes to StsServiceAuthorizer: the resource policy (the role trust
//   policy, passed as resourcePolicy) is mandatory even in the same account;
//   an account-level trust (":root" / 12-digit id) additionally needs an
//   identity allow. A missing trust policy in the same account is treated as
//   implicit trust (NotApplicable) -- cpa requires the trust policy, so always
//   pass it for sts:AssumeRole requests.
// - iam-simulate does not populate context keys from the request
//   (aws:PrincipalArn, aws:PrincipalAccount, aws:CurrentTime, aws:username, ...).
//   Requests that rely on them must carry them in "context".
// - Context keys that do not apply to the action are silently dropped by
//   runSimulation (reported as ignoredContextKeys); all global aws:* keys apply.
// - No SCPs/RCPs (our format has none); iam-simulate adds RCPFullAWSAccess only
//   when RCP levels are given, so none are given.
import { createValidatedPolicy, validateIdentityPolicy, validateResourcePolicy } from '@cloud-copilot/iam-policy';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

export const DECISIONS = {
  Allowed: 'allowed',
  ExplicitlyDenied: 'explicitDeny',
  ImplicitlyDenied: 'implicitDeny'
};

function arnAccount(arn) {
  const parts = typeof arn === 'string' ? arn.split(':') : [];
  return parts.length >= 6 && parts[0] === 'arn' && parts[4] ? parts[4] : undefined;
}

// iam-simulate context values must be strings or arrays of strings.
function contextValue(v) {
  return Array.isArray(v) ? v.map(String) : String(v);
}

export function readRequest(file) {
  return JSON.parse(readFileSync(file, 'utf8'));
}

// Build the Simulation. With validated=true every policy document is wrapped
// in iam-policy's ValidatedPolicy once, so runSimulation skips re-validating
// it on each call (the library's own "validate once" path).
export function toSimulation(req, { validated = false } = {}) {
  for (const k of ['principal', 'action', 'resource']) {
    if (typeof req[k] !== 'string') throw new Error(`request: "${k}" must be a string`);
  }
  const wrap = (doc, validate, name) =>
    validated ? createValidatedPolicy(doc, validate, name ? { name } : undefined) : doc;
  const context = {};
  for (const [k, v] of Object.entries(req.context ?? {})) context[k] = contextValue(v);

  const sim = {
    request: {
      principal: req.principal,
      action: req.action,
      resource: {
        resource: req.resource,
        accountId: arnAccount(req.resource) ?? arnAccount(req.principal)
      },
      contextVariables: context
    },
    identityPolicies: (req.identityPolicies ?? []).map((policy, i) => ({
      name: `identity-${i}`,
      policy: wrap(policy, validateIdentityPolicy, `identity-${i}`)
    })),
    serviceControlPolicies: [],
    resourceControlPolicies: []
  };
  if (req.resourcePolicy) sim.resourcePolicy = wrap(req.resourcePolicy, validateResourcePolicy, 'resource');
  if (req.permissionsBoundary) {
    sim.permissionBoundaryPolicies = [
      { name: 'boundary', policy: wrap(req.permissionsBoundary, validateIdentityPolicy, 'boundary') }
    ];
  }
  if (req.sessionPolicy) sim.sessionPolicy = wrap(req.sessionPolicy, validateIdentityPolicy, 'session');
  return sim;
}

// Map a runSimulation() response to {decision, ...detail}. Validation errors
// become {decision: "error"} so they are never mistaken for a deny.
export function toDecision(res) {
  if (res.resultType === 'error') return { decision: 'error', error: res.errors };
  const out = { decision: DECISIONS[res.overallResult] ?? `unknown:${res.overallResult}` };
  const analysis = res.result?.analysis ?? res.results?.[0]?.analysis;
  if (analysis) {
    out.sameAccount = analysis.sameAccount;
    if (analysis.blockedBy) out.blockedBy = analysis.blockedBy;
  }
  const ignored = res.result?.ignoredContextKeys;
  if (ignored?.length) out.ignoredContextKeys = ignored;
  if (res.resultType === 'wildcard') out.resultType = 'wildcard';
  return out;
}

export const fileLabel = (file) => basename(file);
