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
// V8 code cache: the compiled code of every module the entry point loads (the transpiled sources
// and node_modules alike; the provider bindings are megabytes of generated JavaScript, and
// compiling them took about a tenth of a full synth) is kept in node_modules/.cache/v8-code. A
// later run loads it instead of parsing and compiling again; V8 rejects data that does not fit
// the source, and the module is then compiled as usual. Written at exit, so that it holds the
// functions the run compiled as well. Node >= 22 has this built in (module.enableCompileCache);
// this is for the Node 20 the project supports. ML_PLATFORM_CODE_CACHE=0 turns it off.
// Installed once the entry point runs (at its first require), so that the entry point itself is
// compiled by Node as before: its loader frames, which reach the stack traces cdktf records for
// annotations in manifest.json, stay the same.
const codeCacheDir = path.join(root, "node_modules", ".cache", "v8-code");
let codeCachePending =
  process.env.ML_PLATFORM_CODE_CACHE !== "0" &&
  typeof Module.enableCompileCache !== "function" &&
  !process.execArgv.some((a) => a.startsWith("--inspect") || a === "--enable-source-maps");

function codeCacheKey(content, filename) {
  const hash = crypto.createHash("sha1").update(process.version).update(filename);
  if (content.length < 128 * 1024) return hash.update(content).digest("hex");
  // Large files (the generated provider bindings): their identity on disk rather than hashing
  // megabytes every run. ctime changes with every write and every reinstall (npm fixes mtimes,
  // it cannot set ctimes).
  const stat = fs.statSync(filename, { bigint: true });
  return hash.update(`${content.length}:${stat.size}:${stat.mtimeNs}:${stat.ctimeNs}:${stat.ino}`).digest("hex");
}

function installCodeCache() {
  const vm = require("vm");
  const uncached = [];
  Module.prototype._compile = function (content, filename) {
    const cached = path.join(codeCacheDir, `${codeCacheKey(content, filename)}.bin`);
    let cachedData;
    try {
      cachedData = fs.readFileSync(cached);
    } catch {
      // not compiled before
    }
    const script = new vm.Script(Module.wrap(content), { filename, cachedData, importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER });
    if (cachedData === undefined || script.cachedDataRejected) uncached.push([script, cached]);
    // The `require` Node gives a module (its internal makeRequireFunction is not exported).
    const require = (id) => this.require(id);
    require.resolve = (request, options) => Module._resolveFilename(request, this, false, options);
    require.resolve.paths = (request) => Module._resolveLookupPaths(request, this);
    require.main = process.mainModule;
    require.extensions = Module._extensions;
    require.cache = Module._cache;
    return script.runInThisContext({ displayErrors: true }).call(this.exports, this.exports, require, this, filename, path.dirname(filename));
  };
  process.on("exit", () => {
    for (const [script, cached] of uncached) {
      try {
        fs.mkdirSync(codeCacheDir, { recursive: true });
        fs.writeFileSync(`${cached}.${process.pid}`, script.createCachedData());
        fs.renameSync(`${cached}.${process.pid}`, cached);
      } catch {
        // A read-only checkout still works, only slower.
      }
    }
  });
}

const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (codeCachePending && process.mainModule !== undefined) {
    codeCachePending = false;
    installCodeCache();
  }
  if (Object.prototype.hasOwnProperty.call(entries, request)) return entries[request];
  return resolve.call(this, request, ...rest);
};
