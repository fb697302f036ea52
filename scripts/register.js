// Loads TypeScript sources with @swc/core (transpile only, no type-check) so that
// synth, bench, policy and review run the sources directly and fast. `npm test`
// type-checks with `tsc --noEmit`.
const fs = require("fs");
const path = require("path");
const Module = require("module");
const { transformSync } = require("@swc/core");

const root = path.resolve(__dirname, "..");
const options = {
  jsc: { parser: { syntax: "typescript" }, target: "es2022" },
  module: { type: "commonjs" },
  sourceMaps: "inline",
};
require.extensions[".ts"] = (module, filename) => {
  const source = fs.readFileSync(filename, "utf8");
  const { code } = transformSync(source, { ...options, filename });
  module._compile(code, filename);
};
// Examples import the library by its package name, as an outside user would.
const pkgName = require(path.join(root, "package.json")).name;
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (request === pkgName) return path.join(root, "lib", "index.ts");
  return resolve.call(this, request, ...rest);
};
