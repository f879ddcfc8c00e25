import { expect, test, type Page } from "@playwright/test";

/** The analytics charts, in page order (analytics/src/render/charts.rs). */
const analyticsCharts = [
  "points-by-country",
  "price-vs-points",
  "price-by-country",
  "top-varieties",
  "sentiment-by-country",
  "correlation",
  "variety-prices",
];
/** The model card's charts (app/src/pages/model_card/charts.rs). */
const modelCharts = ["agreement", "confusion", "calibration"];

/** Fails the test on any error the page logs or throws. */
function watchForErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(`pageerror: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(`console: ${message.text()}`);
  });
  return errors;
}

/** Every chart is drawn: an SVG image with a text alternative and marks with tooltips. */
async function expectCharts(page: Page, ids: string[]) {
  for (const id of ids) {
    const chart = page.locator(`#chart-${id}`);
    await expect(chart).toBeVisible();
    const svg = chart.locator('svg[role="img"]');
    await expect(svg).toBeVisible();
    expect((await svg.boundingBox())?.height ?? 0).toBeGreaterThan(100);
    await expect(svg.locator(`title#${id}-title`)).not.toBeEmpty();
    await expect(svg.locator(`desc#${id}-desc`)).not.toBeEmpty();
    await expect(chart.locator(".insight")).not.toBeEmpty();
    expect(await svg.locator("rect > title, g > title").count()).toBeGreaterThan(0);
  }
}

test("the analytics page renders every chart and names its data source", async ({ page }) => {
  const errors = watchForErrors(page);
  const response = await page.goto("/analytics");
  expect(response?.status()).toBe(200);
  await expect(page).toHaveTitle("Wine reviews in charts · VinoVoyant");
  await expect(
    page.getByRole("navigation").getByRole("link", { name: "Analytics" }),
  ).toHaveAttribute("aria-current", "page");
  await expect(page.getByTestId("data-source")).toHaveText(/bundled aggregates \(model version .+\)/);
  await expectCharts(page, analyticsCharts);
  await page.waitForLoadState("networkidle");
  expect(errors).toEqual([]);
});

test("the country filter redraws the charts without a page load", async ({ page }, testInfo) => {
  const errors = watchForErrors(page);
  await page.goto("/analytics");
  await page.waitForLoadState("networkidle");
  await page.evaluate(() => ((window as unknown as { sameDocument: boolean }).sameDocument = true));
  const varieties = page.locator("#chart-top-varieties .chart-title");
  await expect(varieties).toHaveText(/all countries/);
  const before = await page.locator("#chart-top-varieties svg").innerHTML();

  const redrawn = page.waitForResponse((r) => r.url().includes("/analytics/charts?country=Italy"));
  await page.getByLabel("Country", { exact: true }).selectOption("Italy");
  expect((await redrawn).status()).toBe(200);
  await expect(varieties).toHaveText(/Italy/);
  expect(await page.locator("#chart-top-varieties svg").innerHTML()).not.toBe(before);
  // The by-country charts highlight the choice instead.
  await expect(page.locator("#chart-points-by-country .ch-label.ch-selected")).toHaveText("Italy");
  await expect(page.locator("#chart-points-by-country .insight")).toHaveText(/^Italy: median score/);
  await expectCharts(page, analyticsCharts);

  // No navigation happened, and the address says what is shown.
  expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
  expect(new URL(page.url()).search).toBe("?country=Italy");

  await page.getByLabel("Country", { exact: true }).selectOption("");
  await expect(varieties).toHaveText(/all countries/);
  await page.screenshot({ path: testInfo.outputPath("analytics-desktop.png"), fullPage: true });
  expect(errors).toEqual([]);
});

test("the model card shows the metrics, the per-country table and its charts", async ({ page }) => {
  const errors = watchForErrors(page);
  const response = await page.goto("/model");
  expect(response?.status()).toBe(200);
  await expect(page).toHaveTitle("Model card · VinoVoyant");
  await expect(page.getByRole("heading", { name: "Model card", level: 1 })).toBeVisible();
  await expect(page.getByTestId("model-facts")).toContainText("Training rows");
  await expect(page.getByTestId("model-facts")).toContainText(/3,762 grapes, styles, places and producers, each as 2 training notes/);
  await expect(page.getByTestId("model-facts")).toContainText(/3,751 of them, those the reviews do not give to other countries, raise their country by 2\.34 \(full model\) and 2\.83 \(browser model\)/);
  await expect(page.getByTestId("scores")).toContainText("Top-1 accuracy");
  await expect(page.getByTestId("scores")).toContainText("new writers");
  expect(await page.locator('[data-testid="per-country"] tbody tr').count()).toBeGreaterThan(10);
  await expectCharts(page, modelCharts);
  await page.waitForLoadState("networkidle");
  expect(errors).toEqual([]);
});

test("pages link to each other", async ({ page }) => {
  await page.goto("/");
  await page.getByRole("navigation").getByRole("link", { name: "Analytics" }).click();
  await expect(page).toHaveURL(/\/analytics$/);
  await page.getByRole("navigation").getByRole("link", { name: "Model card" }).click();
  await expect(page).toHaveURL(/\/model$/);
  await page.getByRole("navigation").getByRole("link", { name: "Predict" }).click();
  await expect(page).toHaveURL(/\/$/);
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("the filter is a plain form the server answers", async ({ page }) => {
    await page.goto("/analytics");
    await expectCharts(page, analyticsCharts);
    await page.getByLabel("Country", { exact: true }).selectOption("France");
    await page.getByRole("button", { name: "Show" }).click();
    await expect(page).toHaveURL(/\/analytics\?country=France$/);
    await expect(page.locator("#chart-top-varieties .chart-title")).toHaveText(/France/);
    await expect(page.getByLabel("Country", { exact: true })).toHaveValue("France");
    await expectCharts(page, analyticsCharts);

    await page.goto("/model");
    await expectCharts(page, modelCharts);
  });
});

test.describe("on a phone", () => {
  test.use({ viewport: { width: 375, height: 740 } });

  test("charts fit the screen", async ({ page }, testInfo) => {
    for (const path of ["/analytics", "/model"]) {
      await page.goto(path);
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      expect(overflow, `${path} scrolls sideways`).toBeLessThanOrEqual(0);
      const box = await page.locator(".ch-svg").first().boundingBox();
      expect(box?.width ?? 0).toBeGreaterThan(280);
      await page.screenshot({
        path: testInfo.outputPath(`${path.slice(1)}-phone.png`),
        fullPage: true,
      });
    }
  });
});

test.describe("on a 390 px phone", () => {
  test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });

  test("no text on the charts or around them is drawn under 11 px", async ({ page }) => {
    for (const path of ["/analytics", "/model"]) {
      await page.goto(path);
      const small = await page.evaluate(() => {
        const found: string[] = [];
        // chart text: its font size scaled by the SVG's drawn size
        for (const text of document.querySelectorAll<SVGTextElement>("svg text")) {
          const matrix = text.getScreenCTM();
          const scale = matrix ? Math.hypot(matrix.a, matrix.b) : 1;
          const size = parseFloat(getComputedStyle(text).fontSize) * scale;
          if (size < 10.95 && text.textContent?.trim()) found.push(`svg "${text.textContent}" ${size.toFixed(1)}px`);
        }
        // page text outside the charts
        const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          const element = node.parentElement;
          if (!element || !node.textContent?.trim() || element.closest("svg, .visually-hidden, details:not([open])")) continue;
          const size = parseFloat(getComputedStyle(element).fontSize);
          if (size < 11 && element.getClientRects().length > 0) found.push(`<${element.tagName.toLowerCase()}> "${node.textContent.trim().slice(0, 30)}" ${size}px`);
        }
        return found;
      });
      expect(small, `${path} has text under 11 px`).toEqual([]);
    }
  });
});
