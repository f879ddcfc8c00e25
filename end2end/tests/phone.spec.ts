import { expect, test, type Locator, type Page, type TestInfo } from "@playwright/test";

// A phone: 390 × 844, touch, no hover. With the on-screen keyboard up, the part of
// the page a person still sees is about the top 450 px (844 less the keyboard and
// its suggestion row); the tests check positions against that, not pixels by eye.
const phone = { width: 390, height: 844 };
const keyboardUp = { width: 390, height: 450 };

const description = '[data-testid="description"]';
const quickBar = '[data-testid="quick-bar"]';
const serverPanel = "#answer";
const note = "Zesty Marlborough Sauvignon Blanc bursting with passion fruit, gooseberry and cut grass.";

test.use({ viewport: phone, isMobile: true, hasTouch: true });

/** The element's box, failing when it is not rendered. */
async function box(locator: Locator) {
  const found = await locator.boundingBox();
  expect(found, "the element is rendered").not.toBeNull();
  return found!;
}

/** Whether the box lies inside the visible part of the page, top to bottom. */
async function inView(page: Page, locator: Locator): Promise<boolean> {
  const { top, bottom } = await locator.evaluate((element) => {
    const rect = element.getBoundingClientRect();
    return { top: rect.top, bottom: rect.bottom };
  });
  const height = page.viewportSize()!.height;
  return top >= 0 && bottom <= height;
}

async function screenshot(page: Page, testInfo: TestInfo, name: string) {
  await testInfo.attach(name, { body: await page.screenshot(), contentType: "image/png" });
}

test("the quick guess stays in sight under the note box while typing", async ({ page }, testInfo) => {
  await page.goto("/");
  await expect(page.locator('[data-testid="distilled-status"]')).toHaveText(/Start typing/);
  const box1 = page.locator(description);
  await box1.tap();
  // the keyboard comes up: the browser keeps the focused box in view
  await page.setViewportSize(keyboardUp);
  await box1.pressSequentially(note.slice(0, 45));
  await box1.evaluate((element) => element.scrollIntoView({ block: "start" }));
  const bar = page.locator(quickBar);
  await expect(page.locator('[data-testid="quick-bar-text"]')).toContainText(/New Zealand · ([<>] )?\d+% · \w+/);
  await screenshot(page, testInfo, "typing with the keyboard up");

  expect(await inView(page, bar), "the bar is on screen above the keyboard").toBe(true);
  const area = await box(box1);
  const barBox = await box(bar);
  // right under the note box, the full width of the form
  expect(barBox.y).toBeGreaterThanOrEqual(area.y + area.height - 1);
  expect(barBox.y - (area.y + area.height)).toBeLessThan(24);
  // the detailed quick-guess panel is far below, out of sight: the bar is what shows
  expect(await inView(page, page.locator(".panel.distilled h2"))).toBe(false);

  // the bar follows every word
  await box1.pressSequentially(note.slice(45));
  await expect(page.locator('[data-testid="quick-bar-text"]')).toContainText("New Zealand");
});

test("after Predict origin the full answer comes into view and is announced", async ({ page }, testInfo) => {
  await page.goto("/");
  await expect(page.locator('[data-testid="distilled-status"]')).toHaveText(/Start typing/);
  await page.locator(description).fill(note);
  const button = page.locator('[data-testid="predict"]');
  await button.tap();
  await expect(page.locator('[data-testid="server-top"]')).toHaveText("New Zealand");
  await expect(page.locator('[data-testid="server-announcement"]')).toHaveText(
    /The full model says New Zealand: ([<>] )?\d+% · \w+\./,
  );
  await expect(page.locator('[data-testid="server-announcement"]')).toHaveAttribute("role", "status");
  // the page scrolled to the answer: its heading and country are on screen
  await expect.poll(() => inView(page, page.locator('[data-testid="server-top"]'))).toBe(true);
  expect(await inView(page, page.locator("#server-title"))).toBe(true);
  await screenshot(page, testInfo, "after Predict origin");
});

test("keyboard shortcuts are not offered on a touch screen", async ({ page }) => {
  await page.goto("/");
  await expect(page.locator(".keyboard-hint")).toBeHidden();
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("the answer page opens at the answer", async ({ page }, testInfo) => {
    await page.goto("/");
    await page.locator(description).fill(note);
    await page.locator('[data-testid="predict"]').tap();
    await expect(page).toHaveURL(/\/#answer$/);
    await expect(page.locator('[data-testid="server-top"]')).toHaveText("New Zealand");
    expect(await inView(page, page.locator("#server-title"))).toBe(true);
    // the bar needs the browser bundle; without it it is not shown
    await expect(page.locator(quickBar)).toBeHidden();
    await screenshot(page, testInfo, "no-JavaScript answer");
  });
});

test.describe("on a desktop", () => {
  test.use({ viewport: { width: 1366, height: 900 }, isMobile: false, hasTouch: false });

  test("the panel beside the form shows the guess, so the bar is hidden and the shortcut offered", async ({
    page,
  }) => {
    await page.goto("/");
    await expect(page.locator('[data-testid="distilled-status"]')).toHaveText(/Start typing/);
    await page.locator(description).fill(note);
    await expect(page.locator('[data-testid="distilled-top"]')).toHaveText("New Zealand");
    await expect(page.locator(quickBar)).toBeHidden();
    await expect(page.locator(".keyboard-hint")).toBeVisible();
  });
});
