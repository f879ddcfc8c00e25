import { expect, test } from "@playwright/test";

// Issue 19: refusing text that is not a tasting note, whole words while typing,
// certainty in words, explanations of content words with a legend, and agreement
// claimed only when both models are at least fairly sure.

const description = '[data-testid="description"]';
const predict = '[data-testid="predict"]';
const distilledTop = '[data-testid="distilled-top"]';
const distilledStatus = '[data-testid="distilled-status"]';
const distilledCertainty = '[data-testid="distilled-certainty"]';
const serverTop = '[data-testid="server-top"]';
const serverCertainty = '[data-testid="server-certainty"]';
const serverEvidence = '[data-testid="server-evidence"]';
const notice = "#description-notice";

const mash = "asdf qwerty zzkx blorp";
const marlborough =
  "Zesty Marlborough Sauvignon Blanc bursting with passion fruit, gooseberry and cut grass.";
const functionWords = /^(with|and|of|then|the|a|an|is|this|it|from|to|in|on|but)$/i;

async function waitForDistilledModel(page: import("@playwright/test").Page) {
  await expect(page.locator(".distilled .panel-status[aria-live]")).toHaveText(
    /Start typing|Quick guess/,
  );
}

/** The words the page marks as evidence, without their legend numbers. */
async function markedWords(page: import("@playwright/test").Page, scope: string) {
  return page.locator(`${scope} mark`).evaluateAll((marks) =>
    marks.map((mark) => {
      const copy = mark.cloneNode(true) as HTMLElement;
      copy.querySelectorAll("sup, .visually-hidden").forEach((part) => part.remove());
      return (copy.textContent ?? "").trim();
    }),
  );
}

test("a keyboard mash gets no country, here or from the server", async ({ page }) => {
  await page.goto("/");
  await waitForDistilledModel(page);
  await page.locator(description).fill(mash);
  await expect(page.locator(distilledStatus)).toContainText("Not enough to go on yet");
  await expect(page.locator(distilledTop)).toHaveCount(0);

  const answered = page.waitForResponse((r) => r.url().endsWith("/_app/predict"));
  await page.locator(predict).click();
  expect((await answered).status()).toBe(422);
  await expect(page.locator(notice)).toContainText("doesn't read like a tasting note");
  await expect(page.locator(serverTop)).toHaveCount(0);
});

test("a half-typed word never swings the quick guess", async ({ page }) => {
  await page.goto("/");
  await waitForDistilledModel(page);
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { seenTops: string[] }).seenTops = seen;
    new MutationObserver(() => {
      const top = document.querySelector('[data-testid="distilled-top"]')?.textContent?.trim();
      if (top && seen[seen.length - 1] !== top) seen.push(top);
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
  const box = page.locator(description);
  await box.click();
  // typed faster than the 600 ms pause that would finish the word
  await box.pressSequentially("Ear", { delay: 20 });
  const whileTyping = await page.evaluate(
    () => (window as unknown as { seenTops: string[] }).seenTops.length,
  );
  expect(whileTyping).toBe(0);
  await box.pressSequentially("thy ", { delay: 20 });
  await expect(page.locator(distilledTop)).not.toBeEmpty();
});

test("a pause finishes the word being typed", async ({ page }) => {
  await page.goto("/");
  await waitForDistilledModel(page);
  await page.locator(description).pressSequentially("Malbec", { delay: 20 });
  // no space or punctuation after it: the pause alone lets the guess read it
  await expect(page.locator(distilledTop)).not.toBeEmpty({ timeout: 3_000 });
});

test("both answers say their certainty in words, and the full model shows its evidence", async ({
  page,
}) => {
  await page.goto("/");
  await waitForDistilledModel(page);
  await page.locator(description).fill(marlborough);
  await expect(page.locator(distilledCertainty)).toHaveText(/^(\d+|> 99|< 1)% · (likely|possibly|unsure)$/);
  await expect(page.locator(".distilled .gauge-caption")).toHaveText(/likely|possibly|unsure/);

  const answered = page.waitForResponse((r) => r.url().endsWith("/_app/predict"));
  await page.locator(predict).click();
  expect((await answered).status()).toBe(200);
  await expect(page.locator(serverTop)).toHaveText("New Zealand");
  await expect(page.locator(serverCertainty)).toHaveText(/^(\d+|> 99|< 1)% · (likely|possibly|unsure)$/);

  // the full model's words, each numbered, with a legend naming the countries
  await expect(page.locator(`${serverEvidence} mark`).first()).toBeVisible();
  await expect(page.locator(`${serverEvidence} [data-testid="legend"]`)).toContainText(
    "New Zealand",
  );
  await expect(page.locator(`${serverEvidence} mark .mark-key`).first()).toHaveText(/^\d$/);
  for (const scope of [serverEvidence, ".distilled .note-view"]) {
    for (const word of await markedWords(page, scope)) {
      expect(word).not.toMatch(functionWords);
    }
  }
});

test("the models are not said to agree when one is unsure", async ({ page }) => {
  await page.goto("/");
  await waitForDistilledModel(page);
  await page.locator(description).fill(marlborough);
  await expect(page.locator(distilledTop)).toHaveText("New Zealand");
  await page.route("**/_app/predict", (route) =>
    route.fulfill({
      status: 200,
      contentType: "application/json",
      body: JSON.stringify({
        description: marlborough,
        model_version: "test",
        countries: [
          { label: "New Zealand", probability: 0.28 },
          { label: "Australia", probability: 0.25 },
        ],
        provinces: [],
      }),
    }),
  );
  await page.locator(predict).click();
  await expect(page.locator(serverTop)).toHaveText("New Zealand");
  await expect(page.locator(serverCertainty)).toHaveText("28% · unsure");
  await expect(page.locator('[data-testid="agreement"]')).toHaveCount(0);
  await expect(page.locator('[data-testid="both-unsure"]')).toContainText("lean to New Zealand");
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("a non-note is refused with 422 and a note shows the full model's evidence", async ({
    page,
  }) => {
    await page.goto("/");
    await page.locator(description).fill("milk eggs and the weather tomorrow 12345");
    const [refused] = await Promise.all([
      page.waitForNavigation(),
      page.locator(predict).click(),
    ]);
    expect(refused?.status()).toBe(422);
    await expect(page.locator(notice)).toContainText("doesn't read like a tasting note");

    await page.locator(description).fill(marlborough);
    const [answered] = await Promise.all([
      page.waitForNavigation(),
      page.locator(predict).click(),
    ]);
    expect(answered?.status()).toBe(200);
    await expect(page.locator(serverTop)).toHaveText("New Zealand");
    await expect(page.locator(serverCertainty)).toHaveText(/(\d+|> 99|< 1)% · (likely|possibly|unsure)/);
    await expect(page.locator(`${serverEvidence} mark`).first()).toBeVisible();
    await expect(page.locator(`${serverEvidence} [data-testid="legend"]`)).toContainText(
      "Marked words point to",
    );
    for (const word of await markedWords(page, serverEvidence)) {
      expect(word).not.toMatch(functionWords);
    }
  });
});
