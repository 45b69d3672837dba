// Builds the console into OUTDIR (default ../build/console): type-checks the TypeScript sources
// with tsc, bundles src/main.ts with esbuild into console.js, and copies the static files beside it
// (one flat directory: cpa serve serves index.html at /console/ and the others at
// /console/assets/NAME).
// Uses only what `npm ci` installed from the committed lockfile: no network.
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = resolve(process.argv[2] ?? join(here, "..", "build", "console"));

let esbuild;
try {
  esbuild = await import("esbuild");
} catch {
  console.error("console/build.mjs: esbuild is missing: run scripts/bootstrap (npm ci in console/)");
  process.exit(1);
}

try {
  execFileSync(join(here, "node_modules", ".bin", "tsc"), ["--noEmit", "-p", here], { stdio: "inherit" });
} catch {
  console.error("console/build.mjs: type errors (tsc)");
  process.exit(1);
}

mkdirSync(out, { recursive: true });
await esbuild.build({
  entryPoints: [join(here, "src", "main.ts")],
  bundle: true,
  format: "esm",
  target: "es2022",
  minify: true,
  legalComments: "linked",
  outfile: join(out, "console.js"),
  logLevel: "warning",
});
for (const f of readdirSync(join(here, "static"))) copyFileSync(join(here, "static", f), join(out, f));
