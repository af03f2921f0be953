import { test, expect, type Page } from "@playwright/test";
import { hydrated, noSeriousViolations, signedInZh as as } from "./helpers";

/** Today where the demo accounts live. */
const today = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai" }).format(new Date());

/** The manager's view of the west subsidiary today, chosen with the filter form. */
async function westToday(manager: Page) {
  await manager.goto("/dashboard");
  // Exact labels: the volume chart is labelled by its summary, which speaks of the period too.
  await manager.getByLabel("期间", { exact: true }).selectOption({ label: "自定义日期" });
  await manager.getByLabel("开始日期", { exact: true }).fill(today);
  await manager.getByLabel("结束日期", { exact: true }).fill(today);
  await manager.getByLabel("单位", { exact: true }).selectOption({ label: "西南贸易有限公司" });
  await manager.getByRole("button", { name: "查看", exact: true }).click();
  await expect(manager).toHaveURL(/org=\d+/);
  await expect(manager.getByTestId("period")).toContainText(`${today} – ${today}`);
}

/** Submitted and resolved today, as the volume table of the page says. */
async function volume(manager: Page): Promise<[number, number]> {
  const cells = manager.getByTestId("volume-table").locator("tbody tr").first().locator("td");
  return [Number(await cells.nth(0).textContent()), Number(await cells.nth(1).textContent())];
}

test("a customer manager sees today's work of one subsidiary, and the same numbers in its CSV", async ({ browser }) => {
  test.setTimeout(120_000);
  const manager = await as(browser, "manager@example.com");
  await manager.getByRole("link", { name: "运营分析" }).click();
  await expect(manager.getByRole("heading", { level: 1, name: "运营分析" })).toBeVisible();
  await westToday(manager);
  const [submittedBefore, resolvedBefore] = await volume(manager);
  const ratingsBefore = Number(await manager.getByTestId("ratings-count").textContent());

  // The west client submits two queries; agent1 resolves one and the client rates it 4.
  const client = await as(browser, "client.west@example.com");
  const agent = await as(browser, "agent1@example.com");
  const urls: string[] = [];
  for (const title of ["对账单疑问", "付款进度查询"]) {
    await client.goto("/requests/new");
    await hydrated(client);
    await client.getByLabel("申请类型").selectOption({ label: "一般咨询" });
    await client.getByLabel("标题").fill(`${title} ${Date.now()}`);
    await client.getByRole("button", { name: "提交申请" }).click();
    await expect(client).toHaveURL(/\/requests\/\d+$/);
    urls.push(client.url());
  }
  await agent.goto(urls[0]);
  await hydrated(agent);
  await agent.getByRole("button", { name: "认领", exact: true }).click();
  await expect(agent.getByTestId("owner")).toHaveText("张伟");
  await agent.getByRole("button", { name: "办结", exact: true }).click();
  await agent.getByLabel("处理结果", { exact: true }).fill("已核对");
  await agent.getByTestId("action-submit").click();
  await expect(agent.locator(".request-header .status")).toHaveText("已解决");
  await client.goto(urls[0]);
  await hydrated(client);
  await client.locator(`label[for="score-4"]`).click();
  await client.getByRole("button", { name: "提交评价" }).click();
  await expect(client.locator(".request-header .status")).toHaveText("已关闭");

  // The same view now counts them.
  await manager.reload();
  expect(await volume(manager)).toEqual([submittedBefore + 2, resolvedBefore + 1]);
  await expect(manager.getByTestId("ratings-count")).toHaveText(String(ratingsBefore + 1));
  await expect(manager.getByTestId("kpi-backlog")).not.toHaveText("0");
  await noSeriousViolations(manager);

  // The CSV of the volume table: a byte order mark, then the page's numbers.
  const query = new URL(manager.url()).search;
  const response = await manager.request.get(`/dashboard/volume.csv${query}`);
  expect(response.status()).toBe(200);
  const bytes = await response.body();
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const lines = bytes.toString("utf8").replace(/^\uFEFF/, "").trim().split("\r\n");
  expect(lines[0]).toBe("起始日期,提交,办结,日终未结,月末工作日");
  const [day, submitted, resolved] = lines[1].split(",");
  expect([day, Number(submitted), Number(resolved)]).toEqual([today, submittedBefore + 2, resolvedBefore + 1]);
});

test("the dashboard is not there for clients and agents", async ({ browser }) => {
  for (const email of ["client.east@example.com", "agent2@example.com"]) {
    const page = await as(browser, email);
    await expect(page.getByRole("link", { name: "运营分析" })).toHaveCount(0);
    const response = await page.goto("/dashboard");
    expect(response?.status()).toBe(404);
  }
});

test("an admin keeps the price list, and a refused price says why", async ({ browser }) => {
  test.setTimeout(60_000);
  const admin = await as(browser, "admin@example.com");
  await admin.getByRole("link", { name: "价目表" }).click();
  await expect(admin.getByRole("heading", { level: 1, name: "价目表" })).toBeVisible();
  await hydrated(admin);
  await noSeriousViolations(admin);
  const price = admin.getByLabel("一般咨询", { exact: true });
  await price.fill("-80");
  await admin.getByRole("button", { name: "保存新版本" }).click();
  await expect(admin.locator(".field-error").first()).toContainText("单价应在 0 到 1000000 之间");
  await expect(admin.getByTestId("price-version")).toHaveCount(0);
  await price.fill("80");
  await admin.getByRole("button", { name: "保存新版本" }).click();
  await expect(admin.locator(".notice--success")).toHaveText("已保存新版本。");
  await expect(admin.getByTestId("price-version")).toHaveCount(1);
  await expect(admin.getByTestId("price-version")).toContainText("80.00");
  await noSeriousViolations(admin);
});

test("the statements page answers an org contact, and nobody outside", async ({ browser }) => {
  const contact = await as(browser, "contact.east@example.com");
  await contact.getByRole("link", { name: "结算单" }).click();
  await expect(contact.getByRole("heading", { level: 1, name: "服务结算单" })).toBeVisible();
  await noSeriousViolations(contact);
  const client = await as(browser, "client.east@example.com");
  await expect(client.getByRole("link", { name: "结算单" })).toHaveCount(0);
  expect((await client.goto("/statements"))?.status()).toBe(404);
});
