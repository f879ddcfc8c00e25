import { expect, test, type Page, type Request } from "@playwright/test";

const description = '[data-testid="description"]';
const predict = '[data-testid="predict"]';
const distilledTop = '[data-testid="distilled-top"]';
const serverTop = '[data-testid="server-top"]';
const modelVersion = '[data-testid="model-version"]';
const notice = "#description-notice";
const distilledStatus = ".distilled .panel-status[aria-live]";

/** A note with an unmistakable origin, to be typed key by key. */
const marlborough =
  "Zesty Marlborough Sauvignon Blanc bursting with passion fruit, gooseberry and cut grass.";
/** Another one, pointing somewhere else entirely. */
const mendoza = "Inky Mendoza Malbec with plum, violet and mocha from high-altitude vineyards.";

/** Fails the test on any error the page logs or throws. */
function watchForErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(`pageerror: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(`console: ${message.text()}`);
  });
  return errors;
}

/** Waits until the page has hydrated and the distilled model is loaded. */
async function waitForDistilledModel(page: Page) {
  await expect(page.locator(distilledStatus)).toHaveText(/Start typing|Quick guess/);
}

test("the server renders the page and the browser hydrates it", async ({ page }) => {
  const errors = watchForErrors(page);
  const models: string[] = [];
  page.on("request", (request) => {
    if (request.url().includes("/distilled.bin")) models.push(new URL(request.url()).pathname);
  });

  const response = await page.goto("/");
  expect(response?.status()).toBe(200);
  const html = (await response?.text()) ?? "";
  expect(html).toContain("Where is this wine from?");
  expect(html).toContain('data-testid="description"');

  await expect(page).toHaveTitle("Where is this wine from? · VinoVoyant");
  await expect(page.getByRole("navigation").getByRole("link", { name: "Predict" })).toHaveAttribute(
    "aria-current",
    "page",
  );
  await expect(page.getByLabel("Tasting note")).toBeVisible();
  await expect(page.locator(predict)).toHaveText("Predict origin");
  await waitForDistilledModel(page);

  // The distilled model comes once, from the immutable URL of the version served.
  expect(models).toHaveLength(1);
  expect(models[0]).toMatch(/^\/model\/[^/]+\/distilled\.bin$/);
  const model = await page.request.get(models[0]);
  expect(model.headers()["cache-control"]).toBe("public, max-age=31536000, immutable");
  // its sha256 names it; the brotli copy the browser is sent is a representation of its own
  expect(model.headers()["etag"]).toMatch(/^"[0-9a-f]{64}(\.br)?"$/);
  expect((await page.request.get("/model/no-such-version/distilled.bin")).status()).toBe(404);

  // An example fills the textarea and the quick guess follows.
  await page.getByRole("button", { name: "Plummy Malbec" }).click();
  await expect(page.locator(description)).toHaveValue(/Malbec/);
  await expect(page.locator(distilledTop)).not.toBeEmpty();
  expect(errors).toEqual([]);
});

test("quick guesses follow every keystroke without asking the server", async ({ page }) => {
  const errors = watchForErrors(page);
  await page.goto("/");
  await waitForDistilledModel(page);

  // Record every distinct top country the page shows, as it shows it.
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { seenTops: string[] }).seenTops = seen;
    new MutationObserver(() => {
      const top = document.querySelector('[data-testid="distilled-top"]')?.textContent?.trim();
      if (top && seen[seen.length - 1] !== top) seen.push(top);
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });

  const requests: Request[] = [];
  page.on("request", (request) => requests.push(request));

  const box = page.locator(description);
  await box.click();
  await box.pressSequentially(marlborough, { delay: 15 });
  await expect(page.locator(distilledTop)).toHaveText("New Zealand");
  await box.press("ControlOrMeta+a");
  await box.pressSequentially(mendoza, { delay: 15 });
  await expect(page.locator(distilledTop)).toHaveText("Argentina");

  // Typing never paused long enough to ask the full model: nothing went out.
  expect(requests.map((request) => request.url())).toEqual([]);
  const seen = await page.evaluate(() => (window as unknown as { seenTops: string[] }).seenTops);
  expect(seen).toContain("New Zealand");
  expect(seen).toContain("Argentina");
  expect(new Set(seen).size).toBeGreaterThanOrEqual(2);

  // The influential words are marked in the note.
  await expect(page.locator(".note-view mark").first()).toBeVisible();
  expect(errors).toEqual([]);
});

test("Predict origin shows the full model's answer and version", async ({ page }, testInfo) => {
  const errors = watchForErrors(page);
  await page.goto("/");
  await waitForDistilledModel(page);

  await page.locator(description).fill(marlborough);
  const answered = page.waitForResponse((r) => r.url().endsWith("/_app/predict"));
  await page.locator(predict).click();
  expect((await answered).status()).toBe(200);

  await expect(page.locator(serverTop)).toHaveText("New Zealand");
  // the likely grape beside the country, in words as well as a number
  await expect(page.getByTestId("server-grape")).toContainText("Grape: Sauvignon Blanc");
  await expect(page.getByTestId("server-grape")).toHaveText(/%\s·\s(likely|possibly|unsure)/);
  // this server runs without review data, and the similar wines say where they would come from
  await expect(page.getByTestId("similar-status")).toContainText("This server has none.");
  await expect(page.locator(modelVersion)).not.toBeEmpty();
  const version = (await page.locator(modelVersion).textContent())?.trim() ?? "";
  expect(await page.locator(".distilled .panel-foot code").textContent()).toBe(version);
  await expect(page.locator(".comparison")).toHaveText(/agree/);

  // The keyboard shortcut asks again after an edit.
  await page.locator(description).fill(mendoza);
  await expect(page.locator(".comparison")).toHaveText(/earlier version of the note/);
  const again = page.waitForResponse((r) => r.url().endsWith("/_app/predict"));
  await page.locator(description).press("Control+Enter");
  await again;
  await expect(page.locator(serverTop)).toHaveText("Argentina");
  await expect(page.getByTestId("server-grape")).toContainText("Grape: Malbec");

  await page.screenshot({ path: testInfo.outputPath("predict-desktop.png"), fullPage: true });
  expect(errors).toEqual([]);
});

test("the form works from the keyboard alone", async ({ page }) => {
  await page.goto("/");
  await waitForDistilledModel(page);
  await page.keyboard.press("Tab");
  await expect(page.getByRole("link", { name: "Skip to content" })).toBeFocused();
  // The skip link jumps to the content, whose first stop is the textarea.
  await page.keyboard.press("Enter");
  await page.keyboard.press("Tab");
  await expect(page.locator(description)).toBeFocused();
  await page.keyboard.type(mendoza);
  await page.keyboard.press("Tab");
  await expect(page.locator(predict)).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page.locator(serverTop)).toHaveText("Argentina");
});

test("a pause on an unsure guess asks the full model by itself", async ({ page }) => {
  await page.goto("/");
  await waitForDistilledModel(page);
  const asked = page.waitForRequest((r) => r.url().endsWith("/_app/predict"), { timeout: 5_000 });
  await page.locator(description).pressSequentially("A pleasant red wine.", { delay: 15 });
  const confidence = Number.parseInt((await page.locator(".distilled .gauge-value").textContent()) ?? "", 10);
  test.skip(confidence >= 60, `the quick guess is sure (${confidence}%) of this note`);
  await asked;
  await expect(page.locator(serverTop)).not.toBeEmpty();
});

test("the page says so when the models disagree", async ({ page }) => {
  await page.goto("/");
  await waitForDistilledModel(page);
  await page.locator(description).fill(marlborough);
  await page.route("**/_app/predict", (route) =>
    route.fulfill({
      status: 200,
      contentType: "application/json",
      body: JSON.stringify({
        description: marlborough,
        model_version: "test",
        countries: [{ label: "Portugal", probability: 0.51 }],
        provinces: [{ label: "Douro", probability: 0.4 }],
      }),
    }),
  );
  await page.locator(predict).click();
  await expect(page.locator(serverTop)).toHaveText("Portugal");
  await expect(page.locator('[data-testid="disagreement"]')).toContainText(
    "quick guess says New Zealand",
  );
  await expect(page.locator(".province")).toContainText("Douro");
});

test("empty and too-long notes are refused inline", async ({ page }) => {
  await page.goto("/");
  await waitForDistilledModel(page);
  const asked: string[] = [];
  page.on("request", (request) => asked.push(request.url()));

  await page.locator(predict).click();
  await expect(page.locator(notice)).toHaveText("Write or paste a tasting note first.");
  await expect(page.locator(description)).toHaveAttribute("aria-invalid", "true");

  await page.locator(description).fill("cherry ".repeat(800));
  await expect(page.locator(".count")).toHaveClass(/over/);
  await expect(page.locator(distilledStatus)).toContainText("over 5000 characters");
  await page.locator(predict).click();
  await expect(page.locator(notice)).toContainText("This note has 5600 characters");
  expect(asked).toEqual([]);

  await page.locator(description).fill("Bright cherry.");
  await expect(page.locator(notice)).toBeEmpty();
});

test("an unreachable server is shown inline, with the loading state before it", async ({ page }) => {
  await page.goto("/");
  await waitForDistilledModel(page);
  await page.route("**/_app/predict", async (route) => {
    await new Promise((resolve) => setTimeout(resolve, 700));
    await route.abort("connectionrefused");
  });
  await page.locator(description).fill(marlborough);
  await page.locator(predict).click();
  await expect(page.locator(predict)).toHaveText("Predicting…");
  await expect(page.locator(predict)).toHaveAttribute("aria-busy", "true");
  await expect(page.getByText("Asking the full model…")).toBeVisible();
  await expect(page.locator('[data-testid="server-error"]')).toContainText(
    "Couldn't reach the server",
  );
  await expect(page.locator(predict)).toHaveText("Predict origin");
  // The quick guess keeps working.
  await expect(page.locator(distilledTop)).toHaveText("New Zealand");
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("the form posts and the server answers in the page", async ({ page }, testInfo) => {
    await page.goto("/");
    await expect(page.locator(".js-off-note")).toBeVisible();
    await page.locator(description).fill(marlborough);
    const [response] = await Promise.all([
      page.waitForNavigation(),
      page.locator(predict).click(),
    ]);
    expect(response?.status()).toBe(200);
    await expect(page.locator(serverTop)).toHaveText("New Zealand");
    await expect(page.getByTestId("server-grape")).toContainText("Grape: Sauvignon Blanc");
    await expect(page.locator(modelVersion)).not.toBeEmpty();
    await expect(page.locator(description)).toHaveValue(marlborough);
    await page.screenshot({ path: testInfo.outputPath("predict-no-js.png"), fullPage: true });
  });

  test("examples post their note, and an empty note is refused", async ({ page }) => {
    await page.goto("/");
    await page.getByRole("button", { name: "Plummy Malbec" }).click();
    await expect(page.locator(serverTop)).not.toBeEmpty();
    await expect(page.locator(description)).toHaveValue(/Malbec/);

    await page.locator(description).fill("");
    const [response] = await Promise.all([
      page.waitForNavigation(),
      page.locator(predict).click(),
    ]);
    expect(response?.status()).toBe(422);
    await expect(page.locator(notice)).toHaveText("Write or paste a tasting note first.");
  });
});

test("the page fits a 360 px phone", async ({ page }, testInfo) => {
  await page.setViewportSize({ width: 360, height: 740 });
  await page.goto("/");
  await waitForDistilledModel(page);
  await page.locator(description).fill(mendoza);
  await expect(page.locator(distilledTop)).toHaveText("Argentina");
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  expect(overflow).toBe(0);
  await page.screenshot({ path: testInfo.outputPath("predict-phone.png"), fullPage: true });
});

test("unknown addresses get the 404 page", async ({ page }) => {
  const response = await page.goto("/no/such/page");
  expect(response?.status()).toBe(404);
  await expect(page).toHaveTitle("Page not found · VinoVoyant");
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
});
