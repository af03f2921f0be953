import { test, expect, type Browser, type Page } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";
import { hydrated, signIn, watchCsp } from "./helpers";

/** Every page of these tests runs under the portal's content-security policy. */
const cspViolations: string[] = [];

async function as(browser: Browser, email: string): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  watchCsp(page, cspViolations);
  await signIn(page, email);
  return page;
}

/** The bell's unread count once the live stream is connected, 0 when it shows none. */
async function bellCount(page: Page): Promise<number> {
  await expect(page.getByTestId("bell")).toHaveAttribute("data-live", "on");
  const badge = page.getByTestId("bell-count");
  return (await badge.isVisible()) ? Number((await badge.textContent())!.trim()) : 0;
}

test("an agent's change reaches the client's open page, bell and notification centre without a reload", async ({ browser }) => {
  const client = await as(browser, "client.east@example.com");
  await client.getByRole("link", { name: "新建申请" }).first().click();
  // The form's code loads with the page: wait until it is shown.
  await expect(client).toHaveURL(/\/requests\/new$/);
  await client.getByLabel("申请类型").selectOption({ label: "一般咨询" });
  const title = `付款进度查询 ${Date.now()}`;
  await client.getByLabel("标题").fill(title);
  await client.getByRole("button", { name: "提交申请" }).click();
  await expect(client).toHaveURL(/\/requests\/\d+$/);
  const url = client.url();
  const reference = (await client.getByTestId("reference").textContent())!.trim();
  await expect(client.locator(".request-header .status")).toHaveText("已提交");
  // Nothing below reloads the client's page: a reload would clear this mark.
  await client.evaluate(() => ((window as any).__sameDocument = true));
  const before = await bellCount(client);

  const agent = await as(browser, "agent1@example.com");
  await agent.goto(url);
  await expect(agent.getByTestId("bell")).toHaveAttribute("data-live", "on");
  await hydrated(agent);
  await agent.getByRole("button", { name: "认领", exact: true }).click();
  await expect(agent.getByTestId("owner")).toHaveText("张伟");

  // The status badge, the timeline and the bell change within 2 seconds, without a reload.
  await expect(client.locator(".request-header .status")).toHaveText("处理中", { timeout: 2_000 });
  await expect(client.locator(".timeline")).toContainText("认领了该申请", { timeout: 2_000 });
  await expect(client.getByTestId("bell-count")).toHaveText(String(before + 1), { timeout: 2_000 });
  await expect(client.getByTestId("toast").filter({ hasText: reference })).toBeVisible();

  // On the list, the row's status follows the next change live.
  await client.getByRole("link", { name: "← 返回申请列表" }).click();
  await expect(client).toHaveURL(/\/requests$/);
  const row = client.getByRole("row").filter({ hasText: reference });
  await expect(row.locator(".status")).toHaveText("处理中");
  await agent.getByRole("button", { name: "要求补充信息", exact: true }).click();
  await agent.getByLabel("需要客户提供什么", { exact: true }).fill("请提供付款申请单号");
  await agent.getByTestId("action-submit").click();
  await expect(row.locator(".status")).toHaveText("待补充资料", { timeout: 2_000 });
  await expect(client.getByTestId("bell-count")).toHaveText(String(before + 2), { timeout: 2_000 });
  expect(await client.evaluate(() => (window as any).__sameDocument)).toBe(true);

  // The notification centre lists both, newest first, and links to the request.
  await client.getByTestId("bell").click();
  await expect(client).toHaveURL(/\/notifications$/);
  const rows = client.locator(".notification");
  await expect(rows.first()).toContainText(`${reference} 需要您补充资料`);
  await expect(rows.first()).toContainText("请提供付款申请单号");
  await expect(rows.nth(1)).toContainText(`${reference} 的状态已变为「处理中」`);
  await rows.first().getByRole("button", { name: "标为已读" }).click();
  await expect(client.getByTestId("bell-count")).toHaveText(String(before + 1));
  await client.getByTestId("mark-all-read").click();
  await expect(client.getByTestId("bell-count")).toBeHidden();
  await rows.first().getByRole("link", { name: `${reference} 需要您补充资料` }).click();
  await expect(client).toHaveURL(url);
  await expect(client.locator(".request-header .status")).toHaveText("待补充资料");
  await expect(client.getByText("请提供付款申请单号").first()).toBeVisible();
  expect(await client.evaluate(() => (window as any).__sameDocument)).toBe(true);
  expect(cspViolations).toEqual([]);
});

test("the notification centre passes axe-core", async ({ page }) => {
  await signIn(page, "client.east@example.com");
  await page.goto("/notifications");
  await hydrated(page);
  await expect(page.getByRole("heading", { level: 1, name: "通知中心" })).toBeVisible();
  await expect(page.getByRole("heading", { level: 2, name: "通知方式" })).toBeVisible();
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  const serious = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(serious.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`)).toEqual([]);
});
