#!/usr/bin/env node
// Runs before `npm start`, `npm test` and friends: installs the locked npm packages when they are
// missing or older than package-lock.json, so a fresh clone needs no separate install step. Used
// as an npm pre-script, or preloaded (`node --require ./scripts/ensure-deps.js --require tsx/cjs`),
// which saves `npm run preview` a lifecycle step; tsx/cjs then resolves after the install.
"use strict";
const { existsSync, statSync } = require("node:fs");
const { spawnSync } = require("node:child_process");
const { join } = require("node:path");

const root = join(__dirname, "..");
const lock = join(root, "package-lock.json");
const marker = join(root, "node_modules", ".package-lock.json");
const stale = !existsSync(marker) || statSync(marker).mtimeMs < statSync(lock).mtimeMs;
if (stale) {
  console.error("installing npm packages (npm ci) ...");
  const result = spawnSync("npm", ["ci", "--no-audit", "--no-fund"], {
    cwd: root,
    stdio: "inherit",
  });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
