#!/usr/bin/env node
// Writes seed-large-policy-allowed.json: the cross-account package pull of
// seed-pull-allowed.json, but with a 100-statement identity policy. Statements
// 1..99 each miss on exactly one thing, in rotation:
//   action (no statement action matches ecr:BatchGetImage),
//   resource (other repository / other region / other account),
//   or one condition (wrong team tag, IP outside the range, date in the past,
//   SecureTransport false) while action and resource match.
// Only statement 100 matches, so an engine has to look at every statement.
// Deterministic: re-running produces the same bytes.
//
// usage: node requests/make-large.mjs [OUT]   (default: next to this script)
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGES = '783794618700';
const SUBSCRIBER = '111111111111';
const here = dirname(fileURLToPath(import.meta.url));
const out = process.argv[2] ?? join(here, 'seed-large-policy-allowed.json');

const context = {
  'aws:PrincipalTag/team': 'packages',
  'aws:SourceIp': '10.0.0.1',
  'aws:CurrentTime': '2026-01-15T12:00:00Z',
  'aws:SecureTransport': 'true'
};

// Conditions that hold for the context above; `miss` picks one to break.
function conditions(miss) {
  return {
    StringEquals: { 'aws:PrincipalTag/team': miss === 'team' ? 'platform' : 'packages' },
    IpAddress: { 'aws:SourceIp': miss === 'ip' ? ['192.168.0.0/16', '172.16.0.0/12'] : '10.0.0.0/8' },
    DateLessThan: { 'aws:CurrentTime': miss === 'date' ? '2024-01-01T00:00:00Z' : '2030-01-01T00:00:00Z' },
    Bool: { 'aws:SecureTransport': miss === 'tls' ? 'false' : 'true' }
  };
}

const otherActions = [
  ['ecr:PutImage', 'ecr:InitiateLayerUpload'],
  'ecr:DescribeRepositories',
  ['s3:GetObject', 's3:ListBucket'],
  'ecr:Batch*Layer*',
  'ecr:List*',
  ['ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
  'ecr:Describe*',
  'ecr:BatchDeleteImage'
];
const otherResources = (i) => [
  `arn:aws:ecr:*:${PACKAGES}:repository/team-${i}/*`,
  `arn:aws:ecr:eu-*:${PACKAGES}:repository/*`,
  `arn:aws:ecr:us-west-2:${SUBSCRIBER}:repository/eks-anywhere-*`,
  `arn:aws:ecr:us-west-2:${PACKAGES}:repository/eks-anywhere-packages-?${i}`
];
const condMisses = ['team', 'ip', 'date', 'tls'];

const statements = [];
for (let i = 1; i <= 99; i++) {
  const kind = i % 3; // 0: action miss, 1: resource miss, 2: condition miss
  const s = { Sid: `S${String(i).padStart(3, '0')}`, Effect: 'Allow' };
  if (kind === 0) {
    s.Action = otherActions[i % otherActions.length];
    s.Resource = `arn:aws:ecr:*:${PACKAGES}:repository/*`;
    s.Condition = conditions(null);
  } else if (kind === 1) {
    s.Action = ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'];
    s.Resource = otherResources(i)[i % 4];
    s.Condition = conditions(null);
  } else {
    s.Action = 'ecr:BatchGet*';
    s.Resource = [`arn:aws:ecr:us-*:${PACKAGES}:repository/eks-anywhere-*`];
    s.Condition = conditions(condMisses[i % 4]);
  }
  statements.push(s);
}
statements.push({
  Sid: 'S100',
  Effect: 'Allow',
  Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
  Resource: `arn:aws:ecr:us-*:${PACKAGES}:repository/eks-anywhere-*`,
  Condition: conditions(null)
});

const request = {
  principal: `arn:aws:sts::${SUBSCRIBER}:assumed-role/curated-packages-role/s1`,
  action: 'ecr:BatchGetImage',
  resource: `arn:aws:ecr:us-west-2:${PACKAGES}:repository/eks-anywhere-packages`,
  context,
  identityPolicies: [{ Version: '2012-10-17', Statement: statements }],
  resourcePolicy: {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'SubscriptionRead',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${SUBSCRIBER}:root` },
        Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability']
      }
    ]
  }
};

writeFileSync(out, JSON.stringify(request, null, 2) + '\n');
console.error(`wrote ${out} (${statements.length} statements)`);
