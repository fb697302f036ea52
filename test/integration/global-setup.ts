import { ensureVenv, pythonVersion, VenvName } from "../support/python";

/**
 * jest globalSetup of the "integration" project (runs only when that project is selected): builds or
 * refreshes the pinned Python venvs before the workers start, so no test waits minutes under its timeout.
 * A failure does not stop jest here: each suite then reports it through describeIf (a loud skip, or a
 * failure with CI=true), and the unit project's results are still reported.
 */
export default async function globalSetup(): Promise<void> {
  if (!pythonVersion()) {
    process.stderr.write("\n*** integration tests: python3 is not on the PATH; the suites that need it will say so ***\n");
    return;
  }
  for (const name of ["main", "checkov", "drift"] as VenvName[]) {
    try {
      ensureVenv(name);
    } catch (e) {
      process.env[`CDKTF_ML_VENV_ERROR_${name.toUpperCase()}`] = (e as Error).message.split("\n")[0];
      process.stderr.write(`\n*** integration tests: the Python venv "${name}" could not be built: ${(e as Error).message} ***\n`);
    }
  }
}
