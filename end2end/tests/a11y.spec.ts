import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";

/** Every page a person can reach, answered and unanswered. */
const pages: { name: string; path: string; upload?: boolean }[] = [
  { name: "predict", path: "/" },
  {
    name: "predict with an answer",
    path: "/?note=Zesty+Marlborough+Sauvignon+Blanc+with+passion+fruit+and+cut+grass.",
  },
  { name: "batch", path: "/batch" },
  { name: "batch with results", path: "/batch", upload: true },
  { name: "analytics", path: "/analytics" },
  { name: "model card", path: "/model" },
  { name: "API docs", path: "/api/docs" },
  { name: "404", path: "/no-such-page" },
];

const sizes = [
  { name: "desktop", viewport: { width: 1366, height: 900 }, isMobile: false, hasTouch: false },
  { name: "phone", viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true },
];

/** The critical and serious violations axe-core finds on the page as it stands. */
async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"])
    .analyze();
  return results.violations
    .filter((violation) => violation.impact === "critical" || violation.impact === "serious")
    .map(
      (violation) =>
        `${violation.id} (${violation.impact}): ${violation.nodes
          .slice(0, 3)
          .map((node) => node.target.join(" "))
          .join(" | ")}`,
    );
}

for (const size of sizes) {
  test.describe(`axe-core at ${size.name} size`, () => {
    test.use({ viewport: size.viewport, isMobile: size.isMobile, hasTouch: size.hasTouch });

    for (const entry of pages) {
      test(`${entry.name} has no critical or serious violations`, async ({ page }) => {
        const response = await page.goto(entry.path);
        expect(response?.status()).toBeLessThan(entry.path === "/no-such-page" ? 500 : 400);
        if (entry.path.startsWith("/?note=")) {
          await expect(page.locator('[data-testid="server-top"]')).toHaveText("New Zealand");
        }
        // the predict page once hydrated, with the quick guess drawn
        if (entry.path === "/") {
          await expect(page.locator('[data-testid="distilled-status"]')).toHaveText(/Start typing/);
          await page.locator('[data-testid="description"]').fill("Tar and roses, firm Nebbiolo tannins.");
          await expect(page.locator('[data-testid="distilled-top"]')).not.toBeEmpty();
        }
        // the batch page with its results table drawn, a refused row among them
        if (entry.upload) {
          await page.locator('[data-testid="batch-file"]').setInputFiles({
            name: "notes.txt",
            mimeType: "text/plain",
            buffer: Buffer.from("Tar and roses, firm Nebbiolo tannins.\nasdf qwerty zzkx\n"),
          });
          await page.locator('[data-testid="batch-submit"]').click();
          await expect(page.locator('[data-testid="batch-table"] tbody tr')).toHaveCount(2);
        }
        expect(await seriousViolations(page)).toEqual([]);
      });
    }
  });
}
