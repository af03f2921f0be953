import { expect, type Browser, type Page } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";

export const DEMO_PASSWORD = "fssc-demo-2026";

/** Waits until the WASM has hydrated the page, so clicks run client-side code. */
export async function hydrated(page: Page) {
  await page.waitForFunction(() => (window as any).__fsscHydrated === true, null, { timeout: 15_000 });
}

export async function signIn(page: Page, email: string, password = DEMO_PASSWORD) {
  await page.goto("/login");
  await hydrated(page);
  await page.getByLabel("邮箱").fill(email);
  await page.getByLabel("密码").fill(password);
  await page.getByRole("button", { name: "登录", exact: true }).click();
  await expect(page).toHaveURL(/\/requests$/);
  // Signing in may load the list as a new document; a click before it hydrates would be a
  // plain link's full load, not the client-side navigation a test means.
  await hydrated(page);
}

/**
 * Collects the Content-Security-Policy violations Chromium reports for this page, across
 * navigations, and checks that the policy is on at all.
 */
export function watchCsp(page: Page, violations: string[] = []): string[] {
  page.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  page.on("response", (response) => {
    // The portal's own pages, not the file previews framed inside them.
    const page_load = response.request().isNavigationRequest() && response.frame() === page.mainFrame();
    if (page_load && response.status() === 200) {
      const policy = response.headers()["content-security-policy"] ?? "";
      if (!policy.includes("'nonce-")) violations.push(`no nonce policy on ${response.url()}`);
    }
  });
  return violations;
}

/** A new browser context signed in as `email`, reading the portal in Chinese whatever an earlier
 * spec switched that demo account to. */
export async function signedInZh(browser: Browser, email: string): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, email);
  await page.getByRole("button", { name: "中文", exact: true }).click();
  await expect(page.locator("html")).toHaveAttribute("lang", "zh-CN");
  return page;
}

/** axe-core finds no serious or critical WCAG 2.1 A/AA violation on the page as it stands. */
export async function noSeriousViolations(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  const serious = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(serious.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`)).toEqual([]);
}
