import { expect, test } from "@playwright/test";

const description = '[data-testid="description"]';
const serverTop = '[data-testid="server-top"]';
const note = "Inky Mendoza Malbec with plum, violet and mocha from high-altitude vineyards.";

test("copy link puts a link to the current note on the clipboard, and the link answers", async ({
  page,
  context,
  baseURL,
}) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: baseURL });
  await page.goto("/");
  await expect(page.locator('[data-testid="distilled-status"]')).toHaveText(/Start typing/);
  await expect(page.locator('[data-testid="share-link"]')).toHaveCount(0);
  await page.locator(description).fill(note);
  await page.locator('[data-testid="copy-link"]').click();
  await expect(page.locator('[data-testid="share-status"]')).toHaveText("Link copied.");
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  expect(copied.startsWith(`${baseURL}/?note=`)).toBe(true);
  const anchor = await page.locator('[data-testid="share-link"]').getAttribute("href");
  expect(`${baseURL}${anchor}`).toBe(copied);

  // the link, opened afresh, shows the full model's answer for the note
  const opened = await context.newPage();
  await opened.goto(copied);
  await expect(opened.locator(description)).toHaveValue(note);
  await expect(opened.locator(serverTop)).toHaveText("Argentina");
  // and once hydrated the quick guess reads the same note
  await expect(opened.locator('[data-testid="distilled-top"]')).toHaveText("Argentina");
});

test("a note too long for a link says so instead of offering a broken one", async ({ page }) => {
  await page.goto("/");
  await expect(page.locator('[data-testid="distilled-status"]')).toHaveText(/Start typing/);
  await page.locator(description).fill("チェリーとスミレの香り、しっかりしたタンニン。".repeat(200));
  await expect(page.locator('[data-testid="share-too-long"]')).toContainText("too long to share by link");
  await expect(page.locator('[data-testid="share-link"]')).toHaveCount(0);
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("a shared link shows the answer, and the answer page offers its own link", async ({ page }) => {
    const response = await page.goto(`/?note=${encodeURIComponent(note)}`);
    expect(response?.status()).toBe(200);
    await expect(page.locator(serverTop)).toHaveText("Argentina");
    await expect(page.locator(description)).toHaveValue(note);
    await expect(page.locator('[data-testid="copy-link"]')).toBeHidden();

    await page.goto("/");
    await page.locator(description).fill(note);
    await page.locator('[data-testid="predict"]').click();
    await expect(page.locator(serverTop)).toHaveText("Argentina");
    const href = await page.locator('[data-testid="share-link"]').getAttribute("href");
    expect(href).toMatch(/^\/\?note=Inky\+Mendoza/);
    await page.goto(href!);
    await expect(page.locator(serverTop)).toHaveText("Argentina");
  });
});
