import { App } from "cdktf";
import { Environment, exitOnConfigError } from "../lib";
import { ENVIRONMENTS } from "./environments";
import { buildApp } from "./platform";

// Entry point of `cdktf synth` (cdktf.json) and of `npm run synth`.
exitOnConfigError(() => {
  const app = new App();
  buildApp(app, Environment.all(ENVIRONMENTS));
  app.synth();
});
