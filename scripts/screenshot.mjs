#!/usr/bin/env node
// Screenshots a dashboard page with Debian's Chromium: node scripts/screenshot.mjs <url> <out.png> [width] [height]
import { chromium } from "@playwright/test";

const [url, out, width = "1280", height = "800"] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const page = await browser.newPage({ viewport: { width: Number(width), height: Number(height) }, colorScheme: process.env.SCHEME ?? "light" });
page.on("console", (m) => m.type() === "error" && console.error("console:", m.text()));
await page.goto(url, { waitUntil: "networkidle" }).catch(() => page.goto(url));
await page.waitForTimeout(Number(process.env.WAIT_MS ?? 1000));
await page.screenshot({ path: out, fullPage: process.env.FULL === "1" });
await browser.close();
