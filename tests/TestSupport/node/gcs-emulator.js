// Starts firebase-tools' Cloud Storage emulator (the GCS JSON API) on a loopback port, without
// its rules runtime: that is a Java jar the CLI downloads at start, and the GCS API never uses it.
// In front of it: an OAuth token endpoint for service account keys whose token_uri points here
// (/oauth2/token grants the token EMULATOR_TOKEN, /oauth2/refuse answers invalid_grant as Google
// does for a deleted key), and the storage API answers 401 to any request without that token.
// Usage: node gcs-emulator.js <node_modules dir> <port>; prints "listening <port>" when ready.
"use strict";
const http = require("http");
const path = require("path");
const [modules, port] = process.argv.slice(2);
const storage = path.join(modules, "firebase-tools", "lib", "emulator", "storage");
const { StorageEmulator } = require(storage);
const { createApp } = require(path.join(storage, "server"));
const { EmulatorRegistry } = require(path.join(modules, "firebase-tools", "lib", "emulator", "registry"));
const EMULATOR_TOKEN = "emulator-token";

function json(res, status, body) {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

async function main() {
  const projectId = "demo-kafka-restored";
  const emulator = new StorageEmulator({ projectId, host: "127.0.0.1", port: Number(port), auto_download: false });
  // Bucket metadata and upload URLs are built from the registry's entry for this emulator.
  EmulatorRegistry.set(emulator.getName(), emulator);
  const app = await createApp(projectId, emulator);
  const server = http.createServer((req, res) => {
    if (req.url.startsWith("/oauth2/token")) return req.resume().on("end", () => json(res, 200, { access_token: EMULATOR_TOKEN, expires_in: 3600, token_type: "Bearer" }));
    if (req.url.startsWith("/oauth2/refuse")) return req.resume().on("end", () => json(res, 400, { error: "invalid_grant", error_description: "Invalid JWT Signature." }));
    if (req.headers.authorization !== `Bearer ${EMULATOR_TOKEN}`) {
      return req.resume().on("end", () => json(res, 401, { error: { code: 401, message: "Anonymous caller does not have storage access.", errors: [{ reason: "required" }] } }));
    }
    app(req, res);
  });
  server.listen(Number(port), "127.0.0.1", () => console.log(`listening ${port}`));
  const stop = () => server.close(() => process.exit(0));
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}
main().catch((e) => { console.error(e); process.exit(1); });
