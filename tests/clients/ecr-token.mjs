// Prints an ECR registry password obtained the way an application using the AWS SDK for
// JavaScript v3 would with the spec's config file: fromIni() resolves the `default` profile's
// source_profile/role_arn chain (AssumeRole through STS), then ECRClient.GetAuthorizationToken.
//
//   AWS_CONFIG_FILE=<config> AWS_ENDPOINT_URL=<cpa serve URL> node ecr-token.mjs
//
// Nothing but the environment configures the clients: region from the profile, endpoint from
// AWS_ENDPOINT_URL (also used by fromIni's inner STS client). Output: one JSON line with the
// password, the proxy endpoint and the expiry; errors go to stderr with exit code 1.
import { ECRClient, GetAuthorizationTokenCommand } from "@aws-sdk/client-ecr";
import { fromIni } from "@aws-sdk/credential-providers";

try {
  const client = new ECRClient({ credentials: fromIni() });
  const out = await client.send(new GetAuthorizationTokenCommand({}));
  const data = out.authorizationData?.[0];
  if (!data?.authorizationToken) throw new Error("GetAuthorizationToken returned no token");
  const decoded = Buffer.from(data.authorizationToken, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0 || decoded.slice(0, colon) !== "AWS") throw new Error("token is not AWS:<password>");
  console.log(
    JSON.stringify({
      password: decoded.slice(colon + 1),
      proxyEndpoint: data.proxyEndpoint,
      expiresAt: data.expiresAt?.toISOString(),
    }),
  );
} catch (e) {
  console.error(`${e.name ?? "Error"}: ${e.message}`);
  process.exit(1);
}
