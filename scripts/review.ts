import { App } from "cdktf";
import * as path from "path";
import { Environment } from "../lib";
import { runReview } from "../lib/review/cli";
import { ENVIRONMENTS } from "../stacks/environments";
import { buildApp } from "../stacks/platform";

// `npm run review -- [--offline | --plan-dir DIR] [--base DIR | --base-ref REF] [--out FILE] [--json FILE]`:
// synthesizes the reference platform (into CDKTF_OUTDIR, default cdktf.out/) and reviews its plans.
const outdir = process.env.CDKTF_OUTDIR ? path.resolve(process.env.CDKTF_OUTDIR) : path.resolve(__dirname, "..", "cdktf.out");
runReview(process.argv.slice(2), {
  appDir: path.resolve(__dirname, ".."),
  synthesize: () => {
    const app = new App({ outdir });
    buildApp(app, Environment.all(ENVIRONMENTS));
    app.synth();
    return outdir;
  },
}).then((code) => process.exit(code));
