#pragma once
// The seed's documents (docs/share-curated-packages): accounts 999999999999 (destination user),
// 111111111111 (subscription account, owns curated-packages-role) and 783794618700 (packages
// registry account).

namespace cpa::policy::testing {

inline constexpr char kPackagesAccount[] = "783794618700";

// Step 2: curated-packages-policy, attached to curated-packages-role in 111111111111.
inline constexpr char kEcrReadPolicy[] = R"({
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "ECRRead",
      "Effect": "Allow",
      "Action": [
        "ecr:DescribeImageScanFindings",
        "ecr:GetDownloadUrlForLayer",
        "ecr:DescribeRegistry",
        "ecr:DescribePullThroughCacheRules",
        "ecr:DescribeImageReplicationStatus",
        "ecr:ListTagsForResource",
        "ecr:ListImages",
        "ecr:BatchGetImage",
        "ecr:DescribeImages",
        "ecr:DescribeRepositories",
        "ecr:BatchCheckLayerAvailability"
      ],
      "Resource": "arn:aws:ecr:*:783794618700:repository/*"
    },
    {
      "Sid": "ECRLogin",
      "Effect": "Allow",
      "Action": [
        "ecr:GetAuthorizationToken"
      ],
      "Resource": "*"
    }
  ]
})";

// Step 3: the trust policy of curated-packages-role.
inline constexpr char kTrustPolicy[] = R"({
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Principal": {
        "AWS": "arn:aws:iam::999999999999:root"
      },
      "Action": "sts:AssumeRole"
    }
  ]
})";

// Step 4: curated-packages-assume-role-policy, attached to curated-packages-user in 999999999999.
inline constexpr char kAssumeRolePolicy[] = R"({
  "Version": "2012-10-17",
  "Statement": {
    "Effect": "Allow",
    "Action": "sts:AssumeRole",
    "Resource": "arn:aws:iam::111111111111:role/curated-packages-role"
  }
})";

// Implied: the packages account's repository policy granting the subscription account.
inline constexpr char kRepositoryPolicy[] = R"({
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "AllowSubscriptionAccountPull",
      "Effect": "Allow",
      "Principal": {"AWS": "arn:aws:iam::111111111111:root"},
      "Action": [
        "ecr:BatchGetImage",
        "ecr:GetDownloadUrlForLayer",
        "ecr:BatchCheckLayerAvailability",
        "ecr:DescribeImages",
        "ecr:ListImages"
      ]
    }
  ]
})";

inline constexpr char kUserArn[] = "arn:aws:iam::999999999999:user/curated-packages-user";
inline constexpr char kRoleArn[] = "arn:aws:iam::111111111111:role/curated-packages-role";
inline constexpr char kSessionArn[] =
    "arn:aws:sts::111111111111:assumed-role/curated-packages-role/s1";
inline constexpr char kRepoArn[] =
    "arn:aws:ecr:us-west-2:783794618700:repository/eks-anywhere-packages";

}  // namespace cpa::policy::testing
