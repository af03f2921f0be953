import { test, expect, type Browser, type Page } from "@playwright/test";
import { hydrated, signIn, watchCsp } from "./helpers";

const pdf = (text: string) => ({
  name: "发票.pdf",
  mimeType: "application/pdf",
  buffer: Buffer.from(`%PDF-1.4\n1 0 obj<<>>endobj\n% ${text}\ntrailer<<>>\n%%EOF\n`),
});
const png = {
  name: "审批单.png",
  mimeType: "image/png",
  buffer: Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64)]),
};

/** Every page of these tests runs under the portal's content-security policy. */
const cspViolations: string[] = [];

async function as(browser: Browser, email: string): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  watchCsp(page, cspViolations);
  await signIn(page, email);
  return page;
}

async function act(page: Page, action: string, label: string, text: string) {
  await page.getByRole("button", { name: action, exact: true }).click();
  await page.getByLabel(label, { exact: true }).fill(text);
  await page.getByTestId("action-submit").click();
}

test("a reimbursement goes from submission to resolution between a client and an agent", async ({ browser }) => {
  // The whole lifecycle in two browser contexts, with four uploads and three reloads: about
  // 30 s on a 2-core machine, over the suite's default per-test limit.
  test.setTimeout(90_000);
  const client = await as(browser, "client.east@example.com");
  await client.getByRole("link", { name: "新建申请" }).first().click();
  // The form's code loads with the page: wait until it is shown.
  await expect(client).toHaveURL(/\/requests\/new$/);
  await client.getByLabel("申请类型").selectOption({ label: "费用报销" });
  const title = `十月差旅费报销 ${Date.now()}`;
  await client.getByLabel("标题").fill(title);
  await expect(client.getByTestId("missing")).toContainText("报销金额");
  await client.getByLabel(/报销金额/).fill("2,460.00");
  await client.getByLabel(/费用发生日期/).fill("2026-10-28");
  await client.getByLabel(/费用类别/).selectOption({ label: "差旅费" });
  await expect(client.getByTestId("missing")).toContainText("发票");
  await client.locator("#slot-invoice").setInputFiles(pdf("invoice"));
  await client.locator("#slot-approval").setInputFiles(png);
  await expect(client.locator(".file-row[data-state=done]")).toHaveCount(2);
  await expect(client.getByTestId("missing")).toHaveCount(0);
  await client.getByRole("button", { name: "提交申请" }).click();
  await expect(client).toHaveURL(/\/requests\/\d+$/);
  const url = client.url();
  await expect(client.getByRole("heading", { level: 1, name: title })).toBeVisible();
  await expect(client.locator('section[aria-labelledby="files-heading"] .attachment-link')).toHaveCount(2);

  const agent = await as(browser, "agent1@example.com");
  await agent.goto(url);
  await hydrated(agent);
  await agent.getByRole("button", { name: "认领", exact: true }).click();
  await expect(agent.getByTestId("owner")).toHaveText("张伟");
  await act(agent, "要求补充信息", "需要客户提供什么", "请补充酒店发票");
  await expect(agent.locator(".request-header .status")).toHaveText("待补充资料");

  await client.reload();
  await hydrated(client);
  await expect(client.locator(".request-header .status")).toHaveText("待补充资料");
  await expect(client.locator(".timeline").getByText("请补充酒店发票")).toBeVisible();
  await client.getByRole("button", { name: "回复", exact: true }).click();
  await client.getByLabel("消息", { exact: true }).fill("已补充酒店发票");
  await client.locator("#action-files").setInputFiles({ ...pdf("hotel"), name: "酒店发票.pdf" });
  await expect(client.locator(".file-row[data-state=done]")).toHaveCount(1);
  await client.getByTestId("action-submit").click();
  await expect(client.locator(".request-header .status")).toHaveText("处理中");

  await agent.reload();
  await hydrated(agent);
  await act(agent, "内部备注", "备注（仅中心可见）", "供应商需再核实");
  await expect(agent.getByText("供应商需再核实")).toBeVisible();
  await act(agent, "办结", "处理结果", "已付款，请查收");
  await expect(agent.locator(".request-header .status")).toHaveText("已解决");

  await client.reload();
  await hydrated(client);
  await expect(client.locator(".request-header .status")).toHaveText("已解决");
  const timeline = client.locator(".timeline__entry");
  await expect(timeline).toHaveCount(5);
  await expect(client.locator(".timeline")).toContainText("认领了该申请");
  await expect(client.locator(".timeline")).toContainText("已补充酒店发票");
  await expect(client.locator(".timeline")).toContainText("已付款，请查收");
  await expect(client.getByText("供应商需再核实")).toHaveCount(0);
  await expect(client.locator(".attachments .attachment-link", { hasText: "酒店发票.pdf" }).first()).toBeVisible();
  // Hydration, uploads with progress and the event stream all ran under the policy.
  expect(cspViolations).toEqual([]);
});

test("a second agent's claim is refused with the owner's name", async ({ browser }) => {
  const client = await as(browser, "client.west@example.com");
  await client.getByRole("link", { name: "新建申请" }).first().click();
  // The form's code loads with the page: wait until it is shown.
  await expect(client).toHaveURL(/\/requests\/new$/);
  await client.getByLabel("申请类型").selectOption({ label: "一般咨询" });
  await client.getByLabel("标题").fill(`增值税发票问题 ${Date.now()}`);
  await client.getByRole("button", { name: "提交申请" }).click();
  await expect(client).toHaveURL(/\/requests\/\d+$/);
  const url = client.url();

  const first = await as(browser, "agent1@example.com");
  const second = await as(browser, "agent2@example.com");
  await first.goto(url);
  await hydrated(first);
  await second.goto(url);
  await hydrated(second);
  await expect(second.getByRole("button", { name: "认领", exact: true })).toBeVisible();
  await first.getByRole("button", { name: "认领", exact: true }).click();
  await expect(first.getByTestId("owner")).toHaveText("张伟");
  await second.getByRole("button", { name: "认领", exact: true }).click();
  await expect(second.getByRole("alert")).toHaveText("该申请已被 张伟 认领。");
});
