// Loads TypeScript sources with @swc/core (transpile only, no type-check) so that
// synth, bench, policy and review run the sources directly and fast. `npm test`
// type-checks with `tsc --noEmit`. Transpiled output is cached by the SHA-1 of the
// source and the options, so an unchanged file is never transpiled twice.
const crypto = require("crypto");
const fs = require("fs");
const path = require("path");
const Module = require("module");

const root = path.resolve(__dirname, "..");
const cacheDir = path.join(root, "node_modules", ".cache", "swc-register");
const options = {
  jsc: { parser: { syntax: "typescript" }, target: "es2022" },
  module: { type: "commonjs" },
  sourceMaps: "inline",
};
const optionsKey = JSON.stringify(options);
let swc;

function transpile(source, filename) {
  const hash = crypto.createHash("sha1").update(optionsKey).update(filename).update(source).digest("hex");
  const cached = path.join(cacheDir, `${hash}.js`);
  try {
    return fs.readFileSync(cached, "utf8");
  } catch {
    swc = swc || require("@swc/core");
    const { code } = swc.transformSync(source, { ...options, filename });
    try {
      fs.mkdirSync(cacheDir, { recursive: true });
      fs.writeFileSync(`${cached}.${process.pid}`, code);
      fs.renameSync(`${cached}.${process.pid}`, cached);
    } catch {
      // A read-only checkout still works, only slower.
    }
    return code;
  }
}

require.extensions[".ts"] = (module, filename) => {
  module._compile(transpile(fs.readFileSync(filename, "utf8"), filename), filename);
};
// Examples import the library by its package name and subpaths (package.json `exports`), as an
// outside user would; here each entry point is its TypeScript source.
const pkg = require(path.join(root, "package.json"));
const entries = Object.fromEntries(
  Object.entries(pkg.exports)
    .filter(([, target]) => typeof target === "object" && target.types)
    .map(([subpath, target]) => [
      subpath === "." ? pkg.name : `${pkg.name}/${subpath.slice(2)}`,
      path.join(root, target.types.replace(/^\.\/dist\//, "").replace(/\.d\.ts$/, ".ts")),
    ]),
);
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (Object.prototype.hasOwnProperty.call(entries, request)) return entries[request];
  return resolve.call(this, request, ...rest);
};
