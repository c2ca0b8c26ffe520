// Headless Chromium checks of protokol's pages, driven by crates/web/tests/browser.rs.
//
//   node check.mjs [--cookie NAME=VALUE] BASE_URL PATH...
//                                              accessibility report (JSON on stdout); the
//                                              cookie signs the browser in
//   node check.mjs [--cookie NAME=VALUE] --screenshots DIR BASE_URL NAME=PATH...
//                                              desktop and phone screenshots as DIR/NAME-*.png
//
// The report lists, per page: the HTTP status, axe-core's WCAG 2.1 A/AA violations, whether
// the page scrolls sideways at 320 CSS pixels (WCAG 1.4.10 Reflow, which axe cannot see),
// what the first Tab focuses (the skip link), and the page's visible text, so that the Rust
// test can look for closed content in what a reader actually sees.
//
// Chromium is Debian's (/usr/bin/chromium, or $CHROMIUM); playwright-core only drives it.

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";
import { LAUNCH } from "./chromium.mjs";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

const DESKTOP = { viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 };
const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
const NARROW = { viewport: { width: 320, height: 640 }, deviceScaleFactor: 1 };

async function audit(browser, base, paths, cookie) {
  // axe-core is injected as a script tag, which protokol's Content-Security-Policy forbids
  // (rightly): the audit context bypasses it.
  const desktop = await browser.newContext({ ...DESKTOP, javaScriptEnabled: true, bypassCSP: true });
  const narrow = await browser.newContext(NARROW);
  if (cookie) {
    const eq = cookie.indexOf("=");
    const jar = [{ name: cookie.slice(0, eq), value: cookie.slice(eq + 1), url: base }];
    await desktop.addCookies(jar);
    await narrow.addCookies(jar);
  }
  const pages = [];
  for (const path of paths) {
    const page = await desktop.newPage();
    const response = await page.goto(base + path, { waitUntil: "load" });
    await page.addScriptTag({ content: axeSource });
    const result = await page.evaluate(async () =>
      // eslint-disable-next-line no-undef
      axe.run(document, {
        runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
        resultTypes: ["violations"],
      }),
    );
    await page.keyboard.press("Tab");
    const firstFocus = await page.evaluate(() => {
      const el = document.activeElement;
      return el ? `${el.tagName.toLowerCase()} ${el.getAttribute("href") || ""} ${el.textContent.trim()}` : "";
    });
    const text = await page.evaluate(() => document.body.innerText);
    await page.close();

    const small = await narrow.newPage();
    await small.goto(base + path, { waitUntil: "load" });
    const overflow = await small.evaluate(() => {
      const width = document.documentElement.clientWidth;
      const wide = [...document.querySelectorAll("body *")]
        .filter((el) => el.getBoundingClientRect().right > width + 1)
        .slice(0, 5)
        .map((el) => `${el.tagName.toLowerCase()}${el.className ? "." + el.className : ""}`);
      return { scrollWidth: document.documentElement.scrollWidth, width, wide };
    });
    await small.close();

    pages.push({
      path,
      status: response ? response.status() : 0,
      violations: result.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ")),
      })),
      overflow,
      firstFocus,
      text,
    });
  }
  await desktop.close();
  await narrow.close();
  return { axe: require("axe-core/package.json").version, pages };
}

async function screenshots(browser, dir, base, named, cookie) {
  const written = [];
  for (const [label, options] of [["desktop", DESKTOP], ["phone", PHONE]]) {
    const context = await browser.newContext(options);
    if (cookie) {
      const eq = cookie.indexOf("=");
      await context.addCookies([{ name: cookie.slice(0, eq), value: cookie.slice(eq + 1), url: base }]);
    }
    for (const pair of named) {
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq);
      const path = pair.slice(eq + 1);
      const page = await context.newPage();
      await page.goto(base + path, { waitUntil: "load" });
      await page.evaluate(() => document.fonts.ready);
      const file = `${dir}/${name}-${label}.png`;
      await page.screenshot({ path: file, fullPage: false });
      written.push(file);
      await page.close();
    }
    await context.close();
  }
  return { written };
}

let argv = process.argv.slice(2);
let cookie = null;
if (argv[0] === "--cookie") {
  cookie = argv[1];
  argv = argv.slice(2);
}
const browser = await chromium.launch(LAUNCH);
try {
  let out;
  if (argv[0] === "--screenshots") {
    out = await screenshots(browser, argv[1], argv[2], argv.slice(3), cookie);
  } else {
    out = await audit(browser, argv[0], argv.slice(1), cookie);
  }
  process.stdout.write(JSON.stringify(out));
} finally {
  await browser.close();
}
