import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { App } from "cdktf";
import { Environment } from "../lib";
import { ENVIRONMENTS } from "../stacks/environments";
import { buildApp } from "../stacks/platform";
import { endpointsScenario } from "./bench-endpoints";

/**
 * One measured run for `npm run bench`, in its own process so that wall time and peak
 * memory include loading the library and the provider bindings, as a user's synth does.
 * Scenarios are registered by name; each synthesizes into a temporary directory.
 */
export const SCENARIOS: Record<string, (app: App) => void> = {
  "full app (all environments)": (app) => {
    buildApp(app, Environment.all(ENVIRONMENTS));
  },
  "platform stack with 1 endpoint": endpointsScenario(1),
  "platform stack with 100 endpoints": endpointsScenario(100),
  "1 endpoint with KEDA and a canary rollout": endpointsScenario(1, { delivery: true }),
  "100 endpoints with KEDA and canary rollouts": endpointsScenario(100, { delivery: true }),
};

const name = process.argv[2];
if (require.main === module) {
  const scenario = SCENARIOS[name];
  if (!scenario) throw new Error(`unknown scenario ${name}; known: ${Object.keys(SCENARIOS).join(", ")}`);
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-"));
  const app = new App({ outdir });
  scenario(app);
  app.synth();
  fs.rmSync(outdir, { recursive: true, force: true });
  process.stdout.write(JSON.stringify({ maxRssKb: process.resourceUsage().maxRSS }) + "\n");
}
