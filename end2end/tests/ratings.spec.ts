import { test, expect, type Page } from "@playwright/test";
import { hydrated, noSeriousViolations, signedInZh as as } from "./helpers";

test.describe.configure({ mode: "serial" });

/** The client submits a general query; answers its page's address. */
async function submitQuery(client: Page, title: string): Promise<string> {
  await client.goto("/requests/new");
  await hydrated(client);
  await client.getByLabel("申请类型").selectOption({ label: "一般咨询" });
  await client.getByLabel("标题").fill(title);
  await client.getByRole("button", { name: "提交申请" }).click();
  await expect(client).toHaveURL(/\/requests\/\d+$/);
  await hydrated(client);
  return client.url();
}

/** agent1 claims and resolves the request at `url`. */
async function resolveAsAgent(agent: Page, url: string, resolution: string) {
  await agent.goto(url);
  await hydrated(agent);
  await agent.getByRole("button", { name: "认领", exact: true }).click();
  await expect(agent.getByTestId("owner")).toHaveText("张伟");
  await agent.getByRole("button", { name: "办结", exact: true }).click();
  await agent.getByLabel("处理结果", { exact: true }).fill(resolution);
  await agent.getByTestId("action-submit").click();
  await expect(agent.locator(".request-header .status")).toHaveText("已解决");
}

let lowUrl = "";

test("a low rating given without reloading reaches the customer manager, who closes its follow-up", async ({ browser }) => {
  test.setTimeout(120_000);
  const client = await as(browser, "client.east@example.com");
  lowUrl = await submitQuery(client, `付款进度查询 ${Date.now()}`);
  const agent = await as(browser, "agent1@example.com");

  // 1. The agent resolves; 2. the client's open page asks for the rating by itself.
  await resolveAsAgent(agent, lowUrl, "已于今日付款");
  await expect(client.getByRole("heading", { name: "请为本次服务评分" })).toBeVisible();
  await expect(client.locator(".request-header .status")).toHaveText("已解决");
  await noSeriousViolations(client);

  await client.locator(`label[for="score-2"]`).click();
  await expect(client.getByRole("radio", { name: "2 星", exact: true })).toBeChecked();
  await client.getByRole("button", { name: "提交评价" }).click();
  await expect(client.getByRole("alert").or(client.locator(".field-error")).first()).toContainText("原因");
  await client.getByLabel("时效", { exact: true }).check();
  await client.getByLabel("意见和建议").fill("付款晚了两天，催了三次");
  await client.getByRole("button", { name: "提交评价" }).click();
  await expect(client.locator(".request-header .status")).toHaveText("已关闭");
  await expect(client.getByTestId("rating")).toContainText("付款晚了两天");
  await expect(client.getByTestId("follow-up-notice")).toHaveText("您的反馈正由客户经理 赵敏 跟进。");

  // 3. The customer manager hears of it, opens the follow-up and closes it with an outcome.
  const manager = await as(browser, "manager@example.com");
  await manager.goto("/notifications");
  await hydrated(manager);
  await expect(manager.getByText(/收到低分评价，请回访/).first()).toBeVisible();
  await manager.getByRole("link", { name: "低分回访" }).click();
  await expect(manager).toHaveURL(/\/follow-ups/);
  const row = manager.getByTestId("follow-up-row").filter({ hasText: "付款进度查询" }).first();
  await expect(row).toBeVisible();
  await noSeriousViolations(manager);
  await row.getByRole("link").click();
  await expect(manager).toHaveURL(lowUrl);
  const followUp = manager.getByTestId("follow-up");
  await expect(followUp).toContainText("赵敏");
  await expect(manager.getByTestId("rating-comment")).toHaveText("付款晚了两天，催了三次");
  await manager.getByLabel("回访方式").selectOption({ label: "电话" });
  await manager.getByLabel("低分原因").selectOption({ label: "中心差错" });
  await manager.getByLabel("采取的措施").selectOption({ label: "已辅导经办人" });
  await manager.getByLabel("回访结果说明").fill("已致电王芳致歉，付款流程已提醒经办人");
  await manager.getByRole("button", { name: "提交回访结果" }).click();
  await expect(manager.getByTestId("follow-up-outcome")).toHaveText("已致电王芳致歉，付款流程已提醒经办人");

  // The center sees the follow-up on the request; the client sees only that it happened.
  await agent.goto(lowUrl);
  await hydrated(agent);
  await expect(agent.getByTestId("follow-up")).toContainText("已致电王芳致歉");
  await client.reload();
  await hydrated(client);
  await expect(client.getByTestId("follow-up-notice")).toHaveText("客户经理 赵敏 已完成对您反馈的回访。");
  await expect(client.getByTestId("follow-up")).toHaveCount(0);
});

test("a star link from the email opens the form with the score chosen, and only confirming saves it", async ({ browser }) => {
  test.setTimeout(90_000);
  const client = await as(browser, "client.east@example.com");
  const url = await submitQuery(client, `发票查验 ${Date.now()}`);
  const agent = await as(browser, "agent1@example.com");
  await resolveAsAgent(agent, url, "发票真实有效");

  // 4. The link as the email carries it.
  await client.goto(`${url}?score=5#rating`);
  await hydrated(client);
  await expect(client.getByTestId("confirm-hint")).toBeVisible();
  await expect(client.getByRole("radio", { name: "5 星", exact: true })).toBeChecked();
  await expect(client.locator(".request-header .status")).toHaveText("已解决");
  await noSeriousViolations(client);
  await client.getByRole("button", { name: "提交评价" }).click();
  await expect(client.locator(".request-header .status")).toHaveText("已关闭");
  await expect(client.getByTestId("rating").getByRole("img", { name: "5 星" })).toBeVisible();
});
