import { readFileSync } from "node:fs";
import { expect, test, type Download, type Page } from "@playwright/test";

// The batch page: a shop's list uploaded as a file, sent in chunks with a progress
// bar, answered in a table with a CSV download; bad files are refused before
// anything is sent, and a failure midway keeps nothing. Every note here is written
// for these tests from a few templates.

const fileInput = '[data-testid="batch-file"]';
const submit = '[data-testid="batch-submit"]';
const alertBox = '[data-testid="batch-alert"]';
const table = '[data-testid="batch-table"]';
const rows = `${table} tbody tr`;
const results = ".batch-results";
const batchApi = "**/api/v1/predict/batch";

const fruits = ["black cherry", "cassis", "ripe plum", "blackberry", "red currant", "fig"];
const places = ["Napa Valley", "Barossa", "Mendoza", "Rioja", "Bordeaux", "Tuscany", "Marlborough", "Mosel"];
const templates = [
  (fruit: string, place: string) =>
    `Aromas of ${fruit} and cedar lead to firm tannins and a long, dry finish in this red from ${place}.`,
  (fruit: string, place: string) =>
    `Bright acidity carries ${fruit}, violets and a touch of oak; a supple, medium-bodied wine of ${place}.`,
  (fruit: string, place: string) =>
    `From ${place}, "generous" ${fruit} and vanilla, with chewy tannins, spice and mocha on the finish.`,
];
const nonNotes = ["asdf qwerty zzkx", '=HYPERLINK("http://x") zzkx'];

/** `count` tasting notes made from the templates; the one with markup tests escaping. */
function notes(count: number): string[] {
  return Array.from({ length: count }, (_, i) => {
    const note = templates[i % templates.length](fruits[i % fruits.length], places[(i >> 1) % places.length]);
    return i === 4 ? `<b>Bold</b> <img src=x onerror=alert(1)> ${note}` : note;
  });
}

/** A CSV field, quoted when it holds a comma, quote or line break. */
function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** The shop's list: 120 notes and 2 non-notes (rows 8 and 90), with columns the page
 *  ignores, saved the way spreadsheets save "CSV UTF-8": with a byte-order mark. */
function shopCsv(): { csv: string; descriptions: string[] } {
  const descriptions = notes(120);
  descriptions.splice(7, 0, nonNotes[0]);
  descriptions.splice(89, 0, nonNotes[1]);
  const lines = ["sku,description,price", ...descriptions.map((d, i) => `W${i + 1},${csvField(d)},${10 + (i % 30)}`)];
  return { csv: `\uFEFF${lines.join("\r\n")}\r\n`, descriptions };
}

async function upload(page: Page, name: string, body: string | Buffer, mimeType = "text/plain") {
  const buffer = typeof body === "string" ? Buffer.from(body, "utf8") : body;
  await page.locator(fileInput).setInputFiles({ name, mimeType, buffer });
  await page.locator(submit).click();
}

/** Counts the batch requests the page sends, optionally slowing each down. */
async function watchBatchRequests(page: Page, delayMs = 0): Promise<{ count: number }> {
  const seen = { count: 0 };
  await page.route(batchApi, async (route) => {
    seen.count++;
    const response = await route.fetch();
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    await route.fulfill({ response });
  });
  return seen;
}

test("a shop's CSV list: progress, a table with refusals marked, and a CSV download", async ({ page }) => {
  test.setTimeout(90_000);
  await page.goto("/batch");
  const sent = await watchBatchRequests(page, 400);
  const { csv, descriptions } = shopCsv();
  await upload(page, "shop-list.csv", csv, "text/csv");

  const progress = page.locator('[data-testid="batch-progress"]');
  await expect(progress).toBeVisible();
  await expect(page.getByRole("progressbar", { name: "Sending the notes" })).toBeVisible();
  await expect(page.locator('[data-testid="batch-progress-text"]')).toHaveText(/^\d+ of 122 notes$/);
  await expect(page.locator('[data-testid="batch-progress-text"]')).toHaveText("50 of 122 notes");

  await expect(page.locator(rows)).toHaveCount(122);
  await expect(progress).toBeHidden();
  expect(sent.count, "chunks of 50: 50, 50, 22").toBe(3);
  await expect(page.locator('[data-testid="batch-summary"]')).toHaveText("122 notes: 120 placed, 2 refused.");
  await expect(page.locator('[data-testid="batch-status"]')).toContainText("Done");

  const refused = page.locator(`${rows}.refused`);
  await expect(refused).toHaveCount(2);
  for (const row of [8, 90]) {
    const cells = page.locator(rows).nth(row - 1).locator("th, td");
    await expect(cells.nth(0)).toHaveText(String(row));
    await expect(cells.nth(2)).toContainText("Refused");
    await expect(cells.nth(2)).toContainText("does not read like a tasting note");
  }
  // a placed note: row number, note, country, province, grape ("—" without a variety head), certainty
  const first = page.locator(rows).first().locator("th, td");
  await expect(first).toHaveCount(6);
  await expect(first.nth(1)).toHaveText(/^Aromas of black cherry/);
  await expect(first.nth(2)).not.toBeEmpty();
  await expect(first.nth(5)).toHaveText(/^(likely|possibly|unsure)$/);
  // the note is text, never markup
  await expect(page.locator(rows).nth(4).locator("td.note")).toContainText("<b>Bold</b> <img");
  await expect(page.locator(`${table} b, ${table} img`)).toHaveCount(0);

  const link = page.locator('[data-testid="batch-download"]');
  await expect(link).toHaveAttribute("download", "vinovoyant-results.csv");
  await expect(link).toHaveAttribute("href", /^blob:/);
  const [download] = await Promise.all([page.waitForEvent("download"), link.click()]);
  expect(download.suggestedFilename()).toBe("vinovoyant-results.csv");
  const text = (await readDownload(download)).replace(/^\uFEFF/, "");
  const lines = text.replace(/\r\n$/, "").split("\r\n");
  expect(lines).toHaveLength(123);
  expect(lines[0]).toBe("row,description,country,country_probability,province,grape,certainty,refused_reason");
  // a placed row; the note holds a comma, so it is quoted; no grape without a variety head
  // row, note, country, its probability, province, grape (the variety head's first), certainty, no refusal
  expect(lines[1]).toMatch(/^1,"Aromas of black cherry and cedar [^"]*",[A-Za-z ]+,[01]\.\d{4},[^,]*,[A-Z][^,]*,(likely|possibly|unsure),$/);
  expect(lines[3]).toContain(`"${descriptions[2].replaceAll('"', '""')}"`);
  expect(lines[8]).toMatch(/^8,asdf qwerty zzkx,,,,,,"this does not read like a tasting note: [^"]*"$/);
  // the spreadsheet formula is neutralised and its quotes doubled
  expect(lines[90]).toMatch(/^90,"'=HYPERLINK\(""http:\/\/x""\) zzkx",,,,,,/);
});

async function readDownload(download: Download): Promise<string> {
  return readFileSync(await download.path(), "utf8");
}

test("a plain-text list, one note per line, with blank lines between", async ({ page }) => {
  await page.goto("/batch");
  const list = notes(5).join("\n\n") + "\nasdf qwerty zzkx\n";
  await upload(page, "notes.txt", list);
  await expect(page.locator(rows)).toHaveCount(6);
  await expect(page.locator(`${rows}.refused`)).toHaveCount(1);
  await expect(page.locator(rows).nth(5).locator("td").nth(1)).toContainText("Refused");
  await expect(page.locator(alertBox)).toBeEmpty();
});

test("pasted notes work when no file is chosen; a multi-line CSV field is one note", async ({ page }) => {
  await page.goto("/batch");
  await page.locator(".batch-paste summary").click();
  await page.locator('[data-testid="batch-text"]').fill(notes(3).join("\n"));
  await page.locator(submit).click();
  await expect(page.locator(rows)).toHaveCount(3);

  const csv = `description,country\r\n"${notes(1)[0]}\r\nSecond line of the same note, with tannins.",France\r\n${csvField(notes(2)[1])},Italy\r\n`;
  await upload(page, "two.csv", csv, "text/csv");
  await expect(page.locator(rows)).toHaveCount(2);
  await expect(page.locator(rows).first().locator("td.note")).toHaveAttribute("title", /Second line of the same note/);
});

test("the grape column shows the first label of `variety`, and — when it is absent or empty", async ({ page }) => {
  await page.goto("/batch");
  // replace the variety head's answers with a given one, an empty one and none at all
  await page.route(batchApi, async (route) => {
    const response = await route.fetch();
    const body = await response.json();
    body.results[0].variety = [
      { label: "Nebbiolo", probability: 0.81 },
      { label: "Barbera", probability: 0.1 },
    ];
    body.results[1].variety = [];
    delete body.results[2].variety;
    await route.fulfill({ response, json: body });
  });
  await upload(page, "three.txt", notes(3).join("\n"));
  await expect(page.locator(rows)).toHaveCount(3);
  const grapes = page.locator(`${rows} td:nth-child(5)`);
  await expect(grapes).toHaveText(["Nebbiolo", "—", "—"]);
  const [download] = await Promise.all([page.waitForEvent("download"), page.locator('[data-testid="batch-download"]').click()]);
  const lines = (await readDownload(download)).split("\r\n");
  expect(lines[1]).toMatch(/,Nebbiolo,(likely|possibly|unsure),$/);
});

const badFiles: { name: string; file: string; body: () => Buffer; message: RegExp }[] = [
  {
    name: "a CSV without a description column",
    file: "list.csv",
    body: () => Buffer.from(`name,country,notes\r\nA,France,${notes(1)[0]}\r\n`),
    message: /no "description" column\. Its columns are: "name", "country", "notes"/,
  },
  {
    name: "1,001 notes",
    file: "long.txt",
    body: () => Buffer.from(notes(1001).join("\n")),
    message: /has 1,001 notes; at most 1,000/,
  },
  {
    name: "a binary file",
    file: "photo.csv",
    body: () => Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52]),
    message: /not a text file/,
  },
  {
    name: "Latin-1 text (invalid UTF-8)",
    file: "latin1.txt",
    body: () => Buffer.from("Ch\xe2teau rouge, cassis et c\xe8dre, tanins fermes.\n", "latin1"),
    message: /not UTF-8 text/,
  },
  { name: "an empty file", file: "empty.csv", body: () => Buffer.alloc(0), message: /file is empty/ },
  {
    name: "a file over 5 MB",
    file: "huge.txt",
    body: () => Buffer.alloc(5 * 1024 * 1024 + 1, "a"),
    message: /limit is 5 MB/,
  },
];

for (const bad of badFiles) {
  test(`${bad.name} is refused with a message, nothing sent and no table`, async ({ page }) => {
    await page.goto("/batch");
    const sent = await watchBatchRequests(page);
    // a good list first, so the test also sees the refusal clear an old table
    await upload(page, "good.txt", notes(2).join("\n"));
    await expect(page.locator(rows)).toHaveCount(2);
    sent.count = 0;

    await upload(page, bad.file, bad.body());
    await expect(page.locator(alertBox)).toHaveText(bad.message);
    await expect(page.locator(alertBox)).toContainText("Nothing was sent.");
    await expect(page.locator(results)).toBeHidden();
    await expect(page.locator(rows)).toHaveCount(0);
    expect(sent.count).toBe(0);
  });
}

test("a failure midway keeps nothing and says so", async ({ page }) => {
  await page.goto("/batch");
  let calls = 0;
  await page.route(batchApi, async (route) => {
    calls++;
    if (calls === 2) await route.fulfill({ status: 503, contentType: "text/plain", body: "down" });
    else await route.continue();
  });
  await upload(page, "list.txt", notes(120).join("\n"));
  await expect(page.locator(alertBox)).toHaveText(/The upload failed: The server answered 503 while sending notes 51 to 100\. Nothing was kept/);
  await expect(page.locator(results)).toBeHidden();
  await expect(page.locator(rows)).toHaveCount(0);
  await expect(page.locator('[data-testid="batch-progress"]')).toBeHidden();
  expect(calls).toBe(2);

  // an answer that is not JSON is a failure too; then a retry succeeds
  calls = 0;
  await page.unrouteAll();
  await page.route(batchApi, (route) => route.fulfill({ status: 200, contentType: "text/html", body: "<p>proxy</p>" }));
  await page.locator(submit).click();
  await expect(page.locator(alertBox)).toContainText("was not JSON");
  await page.unrouteAll();
  await page.locator(submit).click();
  await expect(page.locator(rows)).toHaveCount(120);
  await expect(page.locator(alertBox)).toBeEmpty();
});

test("a busy server (429) is waited for, as Retry-After says, and the chunk retried", async ({ page }) => {
  await page.goto("/batch");
  let calls = 0;
  await page.route(batchApi, async (route) => {
    calls++;
    if (calls === 1) {
      await route.fulfill({
        status: 429,
        headers: { "retry-after": "1", "content-type": "application/json" },
        body: '{"error":{"code":"overloaded","message":"busy"}}',
      });
    } else await route.continue();
  });
  const started = Date.now();
  await upload(page, "list.txt", notes(3).join("\n"));
  await expect(page.locator(rows)).toHaveCount(3);
  expect(calls).toBe(2);
  expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
});

test("the CSV parser and writer follow RFC 4180", async ({ page }) => {
  await page.goto("/batch");
  // The page's own module instance; a string, so the test runner leaves import() alone.
  await page.evaluate(
    'import(document.querySelector(\'script[src$="/batch.js"]\').src).then((m) => { window.batchModule = m; })',
  );
  const outcome = await page.evaluate(() => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const batch = (window as any).batchModule;
    const failure = (text: string) => {
      try {
        batch.parseCsv(text);
        return "";
      } catch (error) {
        return (error as Error).message;
      }
    };
    return {
      crlf: batch.parseCsv("a,b\r\n1,2\r\n"),
      quoted: batch.parseCsv('a,b\n"x, y","he said ""hi"""\n'),
      multiLine: batch.parseCsv('a,b\n"line 1\r\nline 2",z\n\n'),
      trailing: batch.parseCsv("a,b\n1,"),
      emptyQuoted: batch.parseCsv('""\n'),
      bareCr: batch.parseCsv("a\rb\r"),
      bareQuote: batch.parseCsv('5" long,x'),
      unclosed: failure('a\n"open\nstill open'),
      afterQuote: failure('a\n"x"y,1'),
      written: batch.resultsCsv([
        batch.rowOf(0, "Tar, roses", {
          country: "Italy",
          certainty: "high",
          predictions: [{ label: "Italy", probability: 0.97 }],
          province: { label: "Piedmont", probability: 0.9 },
          variety: [{ label: "Nebbiolo", probability: 0.8 }],
        }),
        batch.rowOf(1, "+1 -2 @x", { error: { code: "not_a_tasting_note", message: 'not a "note"' } }),
      ]),
    };
  });
  expect(outcome.crlf).toEqual([["a", "b"], ["1", "2"]]);
  expect(outcome.quoted).toEqual([["a", "b"], ["x, y", 'he said "hi"']]);
  expect(outcome.multiLine).toEqual([["a", "b"], ["line 1\r\nline 2", "z"]]);
  expect(outcome.trailing).toEqual([["a", "b"], ["1", ""]]);
  expect(outcome.emptyQuoted).toEqual([[""]]);
  expect(outcome.bareCr).toEqual([["a"], ["b"]]);
  expect(outcome.bareQuote).toEqual([['5" long', "x"]]);
  expect(outcome.unclosed).toContain("opened on line 2, that never closes");
  expect(outcome.afterQuote).toContain("text after a closing quote on line 2");
  expect(outcome.written).toBe(
    "row,description,country,country_probability,province,grape,certainty,refused_reason\r\n" +
      '1,"Tar, roses",Italy,0.9700,Piedmont,Nebbiolo,likely,\r\n' +
      '2,\'+1 -2 @x,,,,,,"not a ""note"""\r\n',
  );
});

test("without JavaScript the page says what it is and where to go instead", async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  const response = await page.goto("/batch");
  expect(response?.status()).toBe(200);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Place a whole list of wines");
  const line = page.locator('[data-testid="batch-noscript"]');
  await expect(line).toBeVisible();
  await expect(line).toContainText("needs JavaScript");
  await expect(line.getByRole("link", { name: "JSON API" })).toHaveAttribute("href", "/api/docs");
  await expect(line.getByRole("link", { name: "single-note form" })).toHaveAttribute("href", "/");
  await expect(page.locator('[data-testid="batch-form"]')).toBeHidden();
  await context.close();
});

test.describe("on a phone", () => {
  test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });

  test("the table scrolls inside its region and the page never sideways", async ({ page }) => {
    await page.goto("/batch");
    const overflow = () =>
      page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(await overflow()).toBeLessThanOrEqual(0);
    const { csv } = shopCsv();
    await upload(page, "shop-list.csv", csv, "text/csv");
    await expect(page.locator(rows)).toHaveCount(122);
    expect(await overflow()).toBeLessThanOrEqual(0);
    const region = page.getByRole("region", { name: /Results, one row per note/ });
    await expect(region).toHaveAttribute("tabindex", "0");
    const sideways = await region.evaluate((element) => element.scrollWidth > element.clientWidth);
    expect(sideways, "the table is wider than a phone and scrolls inside its region").toBe(true);
  });
});

test("1,000 notes: wall time from the click to the finished table", async ({ page }) => {
  test.setTimeout(300_000);
  await page.goto("/batch");
  const list = notes(1000).join("\n");
  await page.locator(fileInput).setInputFiles({ name: "thousand.txt", mimeType: "text/plain", buffer: Buffer.from(list) });
  const started = Date.now();
  await page.locator(submit).click();
  await expect(page.locator('[data-testid="batch-summary"]')).toHaveText(/^1,000 notes:/, { timeout: 290_000 });
  const seconds = (Date.now() - started) / 1000;
  await expect(page.locator(rows)).toHaveCount(1000);
  console.log(`batch: 1,000 notes placed in ${seconds.toFixed(2)} s (20 requests of 50)`);
  test.info().annotations.push({ type: "wall time, 1,000 notes", description: `${seconds.toFixed(2)} s` });
});
