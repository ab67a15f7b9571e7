// Starts firebase-tools' Cloud Storage emulator (the GCS JSON API) on a loopback port, without
// its rules runtime: that is a Java jar the CLI downloads at start, and the GCS API never uses it.
// Usage: node gcs-emulator.js <node_modules dir> <port>; prints "listening <port>" when ready.
"use strict";
const path = require("path");
const [modules, port] = process.argv.slice(2);
const storage = path.join(modules, "firebase-tools", "lib", "emulator", "storage");
const { StorageEmulator } = require(storage);
const { createApp } = require(path.join(storage, "server"));
const { EmulatorRegistry } = require(path.join(modules, "firebase-tools", "lib", "emulator", "registry"));

async function main() {
  const projectId = "demo-kafka-restored";
  const emulator = new StorageEmulator({ projectId, host: "127.0.0.1", port: Number(port), auto_download: false });
  // Bucket metadata and upload URLs are built from the registry's entry for this emulator.
  EmulatorRegistry.set(emulator.getName(), emulator);
  const app = await createApp(projectId, emulator);
  const server = app.listen(Number(port), "127.0.0.1", () => console.log(`listening ${port}`));
  const stop = () => server.close(() => process.exit(0));
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}
main().catch((e) => { console.error(e); process.exit(1); });
