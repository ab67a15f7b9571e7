// Drives Debian's headless Chromium with playwright-core for the status page's browser tests. One page, a
// fresh profile folder; commands arrive one JSON object a line on stdin and each gets one JSON line back:
//   {"cmd":"goto","url":U}            load U (waits for its load event); answers the HTTP status
//   {"cmd":"eval","js":E}             the value of the expression E in the page
//   {"cmd":"setContent","html":H}     H as a page on about:blank, without any protection, shows it
//   {"cmd":"screenshot","path":P}     a full-page PNG at P
// Every answer carries "loads" (main-frame load events so far: a reload would add one) and "errors" (uncaught
// page errors so far). End of input, or {"cmd":"close"}, closes the browser.
// Usage: node browser-driver.js <node_modules dir> <chromium executable>; prints {"ready":...} when launched.
"use strict";
const fs = require("fs");
const os = require("os");
const path = require("path");
const readline = require("readline");
const [modules, executable] = process.argv.slice(2);
const { chromium } = require(path.join(modules, "playwright-core"));

// The flags this machine needs: without the background-networking ones Chromium keeps dialling Google's hosts.
const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];

function reply(obj) { process.stdout.write(JSON.stringify(obj) + "\n"); }

async function main() {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "kr-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: executable, headless: true, args: FLAGS, viewport: { width: 1280, height: 900 },
  });
  const page = context.pages()[0] || await context.newPage();
  let loads = 0;
  const errors = [];
  page.on("load", () => { loads++; });
  page.on("pageerror", (e) => errors.push(String(e && e.message || e)));
  const answer = (extra) => reply(Object.assign({ ok: true, loads, errors }, extra));
  const commands = {
    goto: async (c) => ({ status: (await page.goto(c.url, { waitUntil: "load", timeout: 60000 }))?.status() ?? 0 }),
    eval: async (c) => ({ value: await page.evaluate(c.js) ?? null }),
    // about:blank first: setContent writes into the current document, whose Content-Security-Policy would still apply.
    setContent: async (c) => { await page.goto("about:blank"); await page.setContent(c.html, { waitUntil: "load" }); return {}; },
    screenshot: async (c) => { fs.mkdirSync(path.dirname(c.path), { recursive: true }); await page.screenshot({ path: c.path, fullPage: true }); return {}; },
  };
  reply({ ready: true, version: context.browser()?.version() ?? "" });
  const lines = readline.createInterface({ input: process.stdin });
  for await (const line of lines) {
    if (!line.trim()) continue;
    let c;
    try { c = JSON.parse(line); } catch (e) { reply({ ok: false, error: "not JSON: " + e.message }); continue; }
    if (c.cmd === "close") break;
    const run = commands[c.cmd];
    if (!run) { reply({ ok: false, error: "unknown command " + c.cmd }); continue; }
    try { answer(await run(c)); } catch (e) { reply({ ok: false, loads, errors, error: String(e && e.message || e) }); }
  }
  await context.close();
  fs.rmSync(profile, { recursive: true, force: true });
}

main().then(() => process.exit(0), (e) => { reply({ ok: false, error: String(e && e.stack || e) }); process.exit(1); });
