import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { App } from "cdktf";
import { Environment } from "../../lib";
import { ENVIRONMENTS } from "../../stacks/environments";
import { EnvironmentStacks, buildApp } from "../../stacks/platform";

/** The reference platform, synthesized into a fresh temporary directory. */
export function synthReferenceApp(): { app: App; outdir: string; stacks: EnvironmentStacks[] } {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "ml-ref-"));
  const app = new App({ outdir, skipValidation: false });
  const stacks = buildApp(app, Environment.all(ENVIRONMENTS));
  app.synth();
  return { app, outdir, stacks };
}

export function stackDir(outdir: string, name: string): string {
  return path.join(outdir, "stacks", name);
}

export function stackJsonFromDir(outdir: string, name: string): any {
  return JSON.parse(fs.readFileSync(path.join(stackDir(outdir, name), "cdk.tf.json"), "utf8"));
}
