// The whole life of a meeting, clicked through in headless Chromium; driven by
// crates/web/tests/browser.rs, which prepares the accounts and checks the store afterwards.
//
//   node life.mjs BASE_URL CANARY
//
// Prints JSON with the text the public saw at each stage and what the next meeting's draft
// holds. Every step waits for the page it expects; a missing button or a wrong page fails
// the run (exit status 1) with the step's name.

import { chromium } from "playwright-core";
import { LAUNCH } from "./chromium.mjs";

const [base, canary] = process.argv.slice(2);
const PASSWORD = "mødelokale 250 rådhuset";

const steps = [];
async function step(name, fn) {
  try {
    const out = await fn();
    steps.push(name);
    return out;
  } catch (e) {
    throw new Error(`step "${name}" failed: ${e.message}`);
  }
}

/// Signs in with the keyboard only: Tab to the field, type, Enter.
async function signIn(browser, user) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${base}/logind`);
  for (let i = 0; i < 20; i++) {
    await page.keyboard.press("Tab");
    if (await page.evaluate(() => document.activeElement?.id === "brugernavn")) break;
  }
  if (!(await page.evaluate(() => document.activeElement?.id === "brugernavn"))) {
    throw new Error("the username field cannot be reached with Tab");
  }
  await page.keyboard.type(user);
  await page.keyboard.press("Tab");
  await page.keyboard.type(PASSWORD);
  await Promise.all([page.waitForNavigation(), page.keyboard.press("Enter")]);
  if (!(await page.content()).includes("Log ud")) throw new Error(`${user} is not signed in`);
  return page;
}

async function click(page, role, name) {
  await Promise.all([page.waitForNavigation(), page.getByRole(role, { name, exact: true }).click()]);
}

const browser = await chromium.launch(LAUNCH);
const out = {};
try {
  const s = await step("secretary signs in with the keyboard", () => signIn(browser, "sekretaer"));

  await step("plan a meeting", async () => {
    await s.goto(`${base}/arbejde`);
    await s.fill("#dato-direktionen", "2026-12-02");
    await s.fill("#start-direktionen", "09:00");
    await s.fill("#sted-direktionen", "Mødelokale 250, rådhuset");
    await click(s, "button", "Opret møde");
    if (!s.url().endsWith("/arbejde/direktionen/2026-12-02")) throw new Error(`at ${s.url()}`);
  });

  for (const [title, closed] of [
    ["Budgetopfølgning", false],
    ["Klimakompetencer hos ansatte", false],
    ["Ansættelse af direktør", true],
  ]) {
    await step(`add item ${title}`, async () => {
      await s.fill("#ny-titel", title);
      if (closed) await s.check("#ny-lukket");
      await click(s, "button", "Tilføj punkt");
    });
  }

  await step("write the closed item", async () => {
    await click(s, "link", "Ansættelse af direktør");
    await s.check("#lukket");
    await s.fill("#lukket_grund", "Personsag");
    await s.fill("#offentlig_titel", "Personalesag");
    await s.fill("#sagsfremstilling", `Ansøgerne er ${canary}.`);
    await click(s, "button", "Gem punktet");
  });

  await step("attach a file to the first item", async () => {
    await click(s, "link", "Budgetopfølgning");
    await s.fill("#sagsfremstilling", "Forbruget pr. 31. oktober er 97 pct. af budgettet.");
    await click(s, "button", "Gem punktet");
    await click(s, "link", "Budgetopfølgning");
    await s.fill("#bilag-titel", "Budgetnotat");
    await s.setInputFiles("#bilag-fil", {
      name: "budgetnotat.txt",
      mimeType: "text/plain",
      buffer: Buffer.from("Budgetnotat: forbruget er 97 pct."),
    });
    await click(s, "button", "Tilføj bilag");
    if (!(await s.content()).includes("budgetnotat.txt")) throw new Error("the attachment is not listed");
  });

  await step("publish the agenda", async () => {
    await s.goto(`${base}/arbejde/direktionen/2026-12-02`);
    await click(s, "button", "Offentliggør dagsordenen");
  });

  const publicContext = await browser.newContext();
  const p = await publicContext.newPage();
  out.publicAgenda = await step("the public reads the agenda", async () => {
    const r = await p.goto(`${base}/direktionen/2026-12-02`);
    if (r.status() !== 200) throw new Error(`status ${r.status()}`);
    return p.evaluate(() => document.body.innerText);
  });

  for (const [title, decision] of [
    ["Budgetopfølgning", "Taget til efterretning."],
    ["Ansættelse af direktør", "Godkendt."],
  ]) {
    await step(`record the decision on ${title}`, async () => {
      await s.goto(`${base}/arbejde/direktionen/2026-12-02`);
      await click(s, "link", title);
      await s.fill("#beslutning", decision);
      await click(s, "button", "Gem punktet");
    });
  }

  await step("postpone a point to the next meeting", async () => {
    await s.goto(`${base}/arbejde/direktionen/2026-12-02`);
    await click(s, "link", "Klimakompetencer hos ansatte");
    await s.selectOption("#udvalg", "DIR");
    await s.fill("#udsaet-dato", "2026-12-09");
    await click(s, "button", "Udsæt punktet");
    if (!s.url().endsWith("/arbejde/direktionen/2026-12-09")) throw new Error(`at ${s.url()}`);
  });

  await step("publish the minutes", async () => {
    await s.goto(`${base}/arbejde/direktionen/2026-12-02`);
    await click(s, "button", "Offentliggør referatet");
  });

  for (const [user, reservation] of [
    ["lene", ""],
    ["kim", "Med forbehold for punkt 1."],
  ]) {
    await step(`${user} signs the minutes`, async () => {
      const m = await signIn(browser, user);
      await m.goto(`${base}/direktionen/2026-12-02`);
      if (reservation) await m.fill("#forbehold", reservation);
      await click(m, "button", "Underskriv referatet");
      await m.context().close();
    });
  }

  out.publicMinutes = await step("the public reads the minutes", async () => {
    await p.goto(`${base}/direktionen/2026-12-02`);
    return p.evaluate(() => document.body.innerText);
  });

  out.nextDraft = await step("the next meeting's draft holds the postponed point", async () => {
    await s.goto(`${base}/arbejde/direktionen/2026-12-09`);
    return s.evaluate(() => document.body.innerText);
  });
  out.steps = steps;
  process.stdout.write(JSON.stringify(out));
} catch (e) {
  process.stderr.write(`${e.message}\nsteps done: ${steps.join(" → ")}\n`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
