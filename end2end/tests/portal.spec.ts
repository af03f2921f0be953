import { test, expect } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";
import { DEMO_PASSWORD, hydrated, signIn } from "./helpers";

test("a wrong password shows the error and keeps the visitor on the sign-in page", async ({ page }) => {
  await page.goto("/login");
  await hydrated(page);
  await page.getByLabel("邮箱").fill("client.east@example.com");
  await page.getByLabel("密码").fill("not-the-password");
  await page.getByRole("button", { name: "登录", exact: true }).click();
  await expect(page.getByRole("alert")).toHaveText("邮箱或密码错误。");
  await expect(page).toHaveURL(/\/login$/);
});

test("a client submits a request, finds it listed, reads it in English and signs out", async ({ page }) => {
  await signIn(page, "client.east@example.com");
  await expect(page.getByRole("heading", { level: 1, name: "我的申请" })).toBeVisible();

  // Client-side navigation keeps the same document: no reload after the first load.
  await page.evaluate(() => ((window as any).__sameDocument = true));
  await page.getByRole("link", { name: "新建申请" }).first().click();
  // The form's code loads with the page: wait until it is shown.
  await expect(page).toHaveURL(/\/requests\/new$/);
  await expect(page.getByRole("heading", { level: 1, name: "新建申请" })).toBeVisible();

  const title = `差旅费报销 ${Date.now()}`;
  await page.getByLabel("申请类型").selectOption({ label: "一般咨询" });
  await page.getByLabel("标题").fill(title);
  await page.getByLabel("说明").fill("10 月北京出差，发票 3 张，合计 ¥2,460.00。");
  await page.getByRole("button", { name: "提交申请" }).click();

  await expect(page).toHaveURL(/\/requests\/\d+$/);
  await expect(page.getByRole("heading", { level: 1, name: title })).toBeVisible();
  await expect(page.getByTestId("reference")).toHaveText(/^FS-\d{4}-\d{6}$/);
  const reference = (await page.getByTestId("reference").textContent())!.trim();
  await expect(page.locator(".request-header .status")).toHaveText("已提交");
  await expect(page.getByText("提交了申请")).toBeVisible();

  await page.getByRole("link", { name: "← 返回申请列表" }).click();
  await expect(page).toHaveURL(/\/requests$/);
  const row = page.getByRole("row").filter({ hasText: reference });
  await expect(row).toContainText(title);
  await expect(row).toContainText("已提交");
  expect(await page.evaluate(() => (window as any).__sameDocument)).toBe(true);

  await page.getByRole("button", { name: "English" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "My requests" })).toBeVisible();
  await expect(page.getByRole("columnheader", { name: "Reference" })).toBeVisible();
  await expect(row).toContainText("Submitted");
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
  expect(await page.evaluate(() => (window as any).__sameDocument)).toBe(true);

  // The choice is saved with the account: a fresh load stays in English.
  await page.reload();
  await expect(page.getByRole("heading", { level: 1, name: "My requests" })).toBeVisible();

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByRole("heading", { level: 1, name: "Sign in" })).toBeVisible();
  await page.goto("/requests");
  await expect(page).toHaveURL(/\/login$/);
});

test("the request list's filter row shows its search box, dates and selects in one style", async ({ page }) => {
  await signIn(page, "client.east@example.com");
  const looks = await page.locator("form.filters").locator("input, select").evaluateAll((controls) =>
    controls.map((control) => {
      const style = getComputedStyle(control);
      return {
        kind: control.getAttribute("type") ?? control.tagName.toLowerCase(),
        height: Math.round(control.getBoundingClientRect().height),
        look: [style.borderTopWidth, style.borderTopStyle, style.borderTopColor, style.borderTopLeftRadius, style.fontSize, style.backgroundColor].join(" "),
      };
    }),
  );
  expect(looks.map((l) => l.kind).sort()).toEqual(["date", "date", "search", "select", "select", "select"]);
  // One height and one look: a native, unstyled control would differ in both.
  expect(new Set(looks.map((l) => l.height)).size, JSON.stringify(looks)).toBe(1);
  expect(new Set(looks.map((l) => l.look)).size, JSON.stringify(looks)).toBe(1);
});

test.describe("accessibility", () => {
  async function expectNoSeriousViolations(page: import("@playwright/test").Page) {
    const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
    const serious = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
    expect(serious.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`)).toEqual([]);
  }

  test("the sign-in page", async ({ page }) => {
    await page.goto("/login");
    await hydrated(page);
    await expectNoSeriousViolations(page);
  });

  test("the request list and the new-request form", async ({ page }) => {
    await signIn(page, "contact.east@example.com");
    await expectNoSeriousViolations(page);
    await page.getByRole("link", { name: "新建申请" }).first().click();
    // The form's code loads with the page: wait until it is shown.
    await expect(page).toHaveURL(/\/requests\/new$/);
    await page.getByLabel("申请类型").selectOption({ label: "费用报销" });
    await expect(page.getByLabel(/报销金额/)).toBeVisible();
    await expectNoSeriousViolations(page);
  });

  test("the agent's queue and a request page", async ({ page }) => {
    await signIn(page, "agent1@example.com");
    await page.goto("/queue");
    await expect(page.getByRole("heading", { level: 1, name: "工作队列" })).toBeVisible();
    await expectNoSeriousViolations(page);
  });
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("sign-in, its error and the list still work", async ({ page }) => {
    await page.goto("/login");
    await expect(page.getByRole("heading", { level: 1, name: "登录" })).toBeVisible();
    await page.getByLabel("邮箱").fill("client.west@example.com");
    await page.getByLabel("密码").fill("not-the-password");
    await page.getByRole("button", { name: "登录", exact: true }).click();
    await expect(page.getByRole("alert")).toHaveText("邮箱或密码错误。");

    await page.getByLabel("邮箱").fill("client.west@example.com");
    await page.getByLabel("密码").fill(DEMO_PASSWORD);
    await page.getByRole("button", { name: "登录", exact: true }).click();
    await expect(page).toHaveURL(/\/requests$/);
    await expect(page.getByRole("heading", { level: 1, name: "我的申请" })).toBeVisible();
  });
});
