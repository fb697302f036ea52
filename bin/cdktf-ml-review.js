#!/usr/bin/env node
// The plan review command of cdktf-ml-platform (see `cdktf-ml-review --help`).
// Installed from npm it runs the compiled library (dist/); in a checkout of this
// repository it runs the TypeScript sources through scripts/register.js.
// It synthesizes the app of the current directory the way `cdktf synth` does: the
// `app` command of cdktf.json, with CDKTF_OUTDIR pointing at its `output` directory.
const { execSync } = require("child_process");
const fs = require("fs");
const path = require("path");

const root = path.resolve(__dirname, "..");
const compiled = path.join(root, "dist", "lib", "review", "cli.js");
let cli;
if (fs.existsSync(compiled)) {
  cli = require(compiled);
} else {
  require(path.join(root, "scripts", "register.js"));
  cli = require(path.join(root, "lib", "review", "cli.ts"));
}

function synthesize() {
  const cwd = process.cwd();
  const configFile = path.join(cwd, "cdktf.json");
  if (!fs.existsSync(configFile)) throw new Error(`no cdktf.json in ${cwd}: run the review from the directory of your cdktf app`);
  const config = JSON.parse(fs.readFileSync(configFile, "utf8"));
  if (!config.app) throw new Error(`${configFile} has no "app" command`);
  const outdir = path.resolve(cwd, process.env.CDKTF_OUTDIR || config.output || "cdktf.out");
  execSync(config.app, { cwd, stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, CDKTF_OUTDIR: outdir } });
  return outdir;
}

cli.runReview(process.argv.slice(2), { synthesize }).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`review failed: ${err && err.message ? err.message : err}\n`);
    process.exit(1);
  },
);
